/* sui-call.c: the method registry and what handlers use to read their call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-call.h"

static GHashTable *methods;   /* name → const SuiMethod *, filled before the server starts */

void
sui_methods_register (const SuiMethod *list,
                      gsize            n_methods)
{
  if (methods == NULL)
    methods = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize i = 0; i < n_methods; i++)
    {
      g_assert (list[i].name != NULL && list[i].handler != NULL);
      g_hash_table_replace (methods, (gpointer) list[i].name, (gpointer) &list[i]);
    }
}

const SuiMethod *
sui_methods_lookup (const char *name)
{
  if (methods == NULL || name == NULL)
    return NULL;
  return g_hash_table_lookup (methods, name);
}

static int
compare_methods (gconstpointer a,
                 gconstpointer b)
{
  const SuiMethod *ma = *(const SuiMethod **) a;
  const SuiMethod *mb = *(const SuiMethod **) b;

  return g_strcmp0 (ma->name, mb->name);
}

GPtrArray *
sui_methods_list (void)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  if (methods != NULL)
    {
      g_hash_table_iter_init (&iter, methods);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_ptr_array_add (list, value);
    }
  g_ptr_array_sort (list, compare_methods);
  return list;
}

const char *
sui_role_to_string (SuiRole role)
{
  switch (role)
    {
    case SUI_ROLE_ADMIN:
      return "admin";
    case SUI_ROLE_SUPERVISOR:
      return "supervisor";
    case SUI_ROLE_INSPECTOR:
      return "inspector";
    case SUI_ROLE_PUBLIC:
    default:
      return "public";
    }
}

SuiRole
sui_role_from_string (const char *text)
{
  if (g_strcmp0 (text, "admin") == 0)
    return SUI_ROLE_ADMIN;
  if (g_strcmp0 (text, "supervisor") == 0)
    return SUI_ROLE_SUPERVISOR;
  if (g_strcmp0 (text, "inspector") == 0)
    return SUI_ROLE_INSPECTOR;
  return SUI_ROLE_PUBLIC;
}

void
sui_user_free (SuiUser *user)
{
  if (user == NULL)
    return;
  g_free (user->login);
  g_free (user->name);
  g_free (user->expires_at);
  g_free (user);
}

void
sui_call_set_error_data (SuiCall  *call,
                         JsonNode *data)
{
  g_clear_pointer (&call->error_data, json_node_unref);
  call->error_data = data;
}

gboolean
sui_call_param_error (SuiCall     *call,
                      const char  *name,
                      const char  *reason,
                      GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "field");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  json_builder_end_object (builder);
  sui_call_set_error_data (call, json_builder_get_root (builder));

  g_set_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_INVALID_PARAMS,
               "Invalid params: %s %s", name, reason);
  return FALSE;
}

/* Returns the member, NULL when absent or null; fails when required and missing, or when
 * present but not a value of type (G_TYPE_INVALID: any type), naming reason. */
static gboolean
lookup_param (SuiCall     *call,
              const char  *name,
              gboolean     required,
              GType        type,
              const char  *reason,
              JsonNode   **out,
              GError     **error)
{
  JsonNode *node = json_object_get_member (call->params, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return sui_call_param_error (call, name, "is required", error);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return sui_call_param_error (call, name, reason, error);

  *out = node;
  return TRUE;
}

gboolean
sui_call_has (SuiCall    *call,
              const char *name)
{
  JsonNode *node = json_object_get_member (call->params, name);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node);
}

gboolean
sui_call_get_string (SuiCall     *call,
                     const char  *name,
                     gboolean     required,
                     const char **out,
                     GError     **error)
{
  JsonNode *node;

  if (!lookup_param (call, name, required, G_TYPE_STRING, "must be a string", &node, error))
    return FALSE;
  if (node != NULL)
    *out = json_node_get_string (node);
  return TRUE;
}

gboolean
sui_call_get_int (SuiCall     *call,
                  const char  *name,
                  gboolean     required,
                  gint64      *out,
                  GError     **error)
{
  JsonNode *node;

  if (!lookup_param (call, name, required, G_TYPE_INT64, "must be an integer", &node, error))
    return FALSE;
  if (node != NULL)
    *out = json_node_get_int (node);
  return TRUE;
}

gboolean
sui_call_get_bool (SuiCall     *call,
                   const char  *name,
                   gboolean     required,
                   gboolean    *out,
                   GError     **error)
{
  JsonNode *node;

  if (!lookup_param (call, name, required, G_TYPE_BOOLEAN, "must be true or false", &node,
                     error))
    return FALSE;
  if (node != NULL)
    *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
sui_call_get_id_version (SuiCall  *call,
                         gint64   *id,
                         gint64   *version,
                         GError  **error)
{
  return sui_call_get_int (call, "id", TRUE, id, error) &&
         sui_call_get_int (call, "version", TRUE, version, error);
}

gboolean
sui_call_get_page (SuiCall  *call,
                   gint64   *after,
                   gint64   *limit,
                   GError  **error)
{
  *after = 0;
  *limit = SUI_PAGE_DEFAULT_LIMIT;
  if (!sui_call_get_int (call, "after", FALSE, after, error) ||
      !sui_call_get_int (call, "limit", FALSE, limit, error))
    return FALSE;
  *limit = CLAMP (*limit, 1, SUI_PAGE_MAX_LIMIT);
  return TRUE;
}

gboolean
sui_call_page_params (SuiCall     *call,
                      gint64       after,
                      gint64       limit,
                      char       **after_text,
                      char       **limit_text,
                      GError     **error)
{
  if (limit < 1 || limit > SUI_PAGE_MAX_LIMIT)
    return sui_call_param_error (call, "limit", "must be between 1 and 1000", error);

  if (sui_call_has (call, "after"))
    *after_text = g_strdup_printf ("%" G_GINT64_FORMAT, after);
  *limit_text = g_strdup_printf ("%" G_GINT64_FORMAT, limit);
  return TRUE;
}

struct _SuiValidation
{
  JsonBuilder *fields;
  guint n_fields;
  char *first_message;
};

SuiValidation *
sui_validation_new (void)
{
  SuiValidation *v = g_new0 (SuiValidation, 1);

  v->fields = json_builder_new ();
  json_builder_begin_array (v->fields);
  return v;
}

void
sui_validation_add (SuiValidation *v,
                    const char    *field,
                    const char    *code,
                    const char    *message)
{
  json_builder_begin_object (v->fields);
  json_builder_set_member_name (v->fields, "field");
  json_builder_add_string_value (v->fields, field);
  json_builder_set_member_name (v->fields, "code");
  json_builder_add_string_value (v->fields, code);
  json_builder_set_member_name (v->fields, "message");
  json_builder_add_string_value (v->fields, message);
  json_builder_end_object (v->fields);

  if (v->n_fields++ == 0)
    v->first_message = g_strdup (message);
}

gboolean
sui_validation_finish (SuiValidation *v,
                       SuiCall       *call,
                       GError       **error)
{
  gboolean ok = v->n_fields == 0;

  if (!ok)
    {
      g_autoptr(JsonBuilder) data = json_builder_new ();

      json_builder_end_array (v->fields);
      json_builder_begin_object (data);
      json_builder_set_member_name (data, "fields");
      json_builder_add_value (data, json_builder_get_root (v->fields));
      json_builder_end_object (data);
      sui_call_set_error_data (call, json_builder_get_root (data));

      if (v->n_fields == 1)
        g_set_error_literal (error, SUI_RPC_ERROR, SUI_RPC_ERROR_VALIDATION, v->first_message);
      else
        g_set_error (error, SUI_RPC_ERROR, SUI_RPC_ERROR_VALIDATION,
                     "输入有 %u 处需要修改：%s 等", v->n_fields, v->first_message);
    }

  g_object_unref (v->fields);
  g_free (v->first_message);
  g_free (v);
  return ok;
}
