/* sui-system.c: system.ping, system.version, system.describe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"
#include "sui-system.h"

#include "sui-call.h"

#include <string.h>

#define SUI_API_VERSION 1

static JsonNode *
system_ping (SuiCall  *call,
             GError  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *iso = NULL;

  /* The bureau's zone, whatever the machine's is; UTC if tzdata lacks it. */
  zone = g_time_zone_new_identifier ("Asia/Shanghai");
  if (zone == NULL)
    zone = g_time_zone_new_utc ();
  now = g_date_time_new_now (zone);
  iso = g_date_time_format_iso8601 (now);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pong");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, iso);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
system_version (SuiCall  *call,
                GError  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "shuangsuid");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, SUI_VERSION);
  json_builder_set_member_name (builder, "api");
  json_builder_add_int_value (builder, SUI_API_VERSION);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* "login:string, [note]:string" → [{name, type, required}] */
static void
add_params (JsonBuilder *builder,
            const char  *spec)
{
  g_auto(GStrv) parts = NULL;

  json_builder_begin_array (builder);
  if (spec != NULL && *spec != '\0')
    {
      parts = g_strsplit (spec, ",", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autofree char *part = g_strstrip (g_strdup (parts[i]));
          char *colon = strchr (part, ':');
          const char *type = "any";
          char *name = part;
          gboolean required = TRUE;

          if (*part == '\0')
            continue;
          if (colon != NULL)
            {
              *colon = '\0';
              type = g_strstrip (colon + 1);
            }
          name = g_strstrip (name);
          if (name[0] == '[')
            {
              required = FALSE;
              name++;
              if (name[0] != '\0' && name[strlen (name) - 1] == ']')
                name[strlen (name) - 1] = '\0';
            }

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, name);
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, type);
          json_builder_set_member_name (builder, "required");
          json_builder_add_boolean_value (builder, required);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);
}

static JsonNode *
system_describe (SuiCall  *call,
                 GError  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) methods = sui_methods_list ();
  const SuiRole roles[] = { SUI_ROLE_ADMIN, SUI_ROLE_SUPERVISOR, SUI_ROLE_INSPECTOR };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "methods");
  json_builder_begin_array (builder);
  for (guint i = 0; i < methods->len; i++)
    {
      const SuiMethod *method = g_ptr_array_index (methods, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, method->name);
      json_builder_set_member_name (builder, "summary");
      json_builder_add_string_value (builder, method->summary ? method->summary : "");
      json_builder_set_member_name (builder, "writes");
      json_builder_add_boolean_value (builder, method->writes);
      json_builder_set_member_name (builder, "roles");
      json_builder_begin_array (builder);
      if (method->roles == SUI_ROLE_PUBLIC)
        json_builder_add_string_value (builder, "public");
      for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
        if (method->roles & roles[r])
          json_builder_add_string_value (builder, sui_role_to_string (roles[r]));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "params");
      add_params (builder, method->params);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static const SuiMethod system_methods[] = {
  { .name = "system.ping", .roles = SUI_ROLE_PUBLIC, .params = "",
    .summary = "Answers pong with the server's time", .handler = system_ping,
    .no_transaction = TRUE },
  { .name = "system.version", .roles = SUI_ROLE_PUBLIC, .params = "",
    .summary = "The daemon's name, version and API level", .handler = system_version,
    .no_transaction = TRUE },
  { .name = "system.describe", .roles = SUI_ROLE_PUBLIC, .params = "",
    .summary = "Every method with its params and the roles that may call it",
    .handler = system_describe, .no_transaction = TRUE },
};

void
sui_system_register (void)
{
  sui_methods_register (system_methods, G_N_ELEMENTS (system_methods));
}
