/* sui-user.c: one user account as the server describes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Immutable: a change on the server brings a new object, so list rows never show half an
 * update.
 */
#include "sui-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sui-json.h"
#include "sui-user.h"

struct _SuiUser
{
  GObject parent_instance;

  gint64 id;
  gint64 version;
  gint64 unit_id;
  char *login;
  char *name;
  char *role;
  char *unit_name;
  gboolean disabled;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_VERSION,
  PROP_LOGIN,
  PROP_NAME,
  PROP_ROLE,
  PROP_ROLE_LABEL,
  PROP_UNIT_ID,
  PROP_UNIT_NAME,
  PROP_DISABLED,
  PROP_STATUS_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE (SuiUser, sui_user, G_TYPE_OBJECT)

static void
sui_user_finalize (GObject *object)
{
  SuiUser *self = (SuiUser *)object;

  g_clear_pointer (&self->login, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->role, g_free);
  g_clear_pointer (&self->unit_name, g_free);

  G_OBJECT_CLASS (sui_user_parent_class)->finalize (object);
}

static void
sui_user_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  SuiUser *self = SUI_USER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;

    case PROP_LOGIN:
      g_value_set_string (value, self->login);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;

    case PROP_ROLE_LABEL:
      g_value_set_string (value, sui_role_to_label (self->role));
      break;

    case PROP_UNIT_ID:
      g_value_set_int64 (value, self->unit_id);
      break;

    case PROP_UNIT_NAME:
      g_value_set_string (value, self->unit_name);
      break;

    case PROP_DISABLED:
      g_value_set_boolean (value, self->disabled);
      break;

    case PROP_STATUS_LABEL:
      g_value_set_string (value, self->disabled ? _("Disabled") : _("Active"));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_user_class_init (SuiUserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = sui_user_finalize;
  object_class->get_property = sui_user_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_LOGIN] = g_param_spec_string ("login", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, flags);
  properties[PROP_ROLE_LABEL] = g_param_spec_string ("role-label", NULL, NULL, NULL, flags);
  properties[PROP_UNIT_ID] = g_param_spec_int64 ("unit-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_UNIT_NAME] = g_param_spec_string ("unit-name", NULL, NULL, NULL, flags);
  properties[PROP_DISABLED] = g_param_spec_boolean ("disabled", NULL, NULL, FALSE, flags);
  properties[PROP_STATUS_LABEL] = g_param_spec_string ("status-label", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sui_user_init (SuiUser *self)
{
}

SuiUser *
sui_user_new_from_json (JsonObject *object)
{
  SuiUser *self = g_object_new (SUI_TYPE_USER, NULL);

  self->id = sui_json_get_id (object, "id");
  self->version = sui_json_get_int (object, "version");
  self->unit_id = sui_json_get_id (object, "unit_id");
  self->login = g_strdup (sui_json_get_string (object, "login"));
  self->name = g_strdup (sui_json_get_string (object, "name"));
  self->role = g_strdup (sui_json_get_string (object, "role"));
  self->unit_name = g_strdup (sui_json_get_string (object, "unit_name"));
  self->disabled = sui_json_get_bool (object, "disabled");

  return self;
}

gint64
sui_user_get_id (SuiUser *self)
{
  g_return_val_if_fail (SUI_IS_USER (self), 0);
  return self->id;
}

gint64
sui_user_get_version (SuiUser *self)
{
  g_return_val_if_fail (SUI_IS_USER (self), 0);
  return self->version;
}

const char *
sui_user_get_login (SuiUser *self)
{
  g_return_val_if_fail (SUI_IS_USER (self), NULL);
  return self->login;
}

const char *
sui_user_get_name (SuiUser *self)
{
  g_return_val_if_fail (SUI_IS_USER (self), NULL);
  return self->name;
}

const char *
sui_user_get_role (SuiUser *self)
{
  g_return_val_if_fail (SUI_IS_USER (self), NULL);
  return self->role;
}

gint64
sui_user_get_unit_id (SuiUser *self)
{
  g_return_val_if_fail (SUI_IS_USER (self), 0);
  return self->unit_id;
}

const char *
sui_user_get_unit_name (SuiUser *self)
{
  g_return_val_if_fail (SUI_IS_USER (self), NULL);
  return self->unit_name;
}

gboolean
sui_user_get_disabled (SuiUser *self)
{
  g_return_val_if_fail (SUI_IS_USER (self), FALSE);
  return self->disabled;
}

/* Case-insensitive substring match on login and name, as the search entry filters. */
gboolean
sui_user_matches (SuiUser    *self,
                  const char *search)
{
  g_autofree char *needle = NULL;
  g_autofree char *login = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (SUI_IS_USER (self), FALSE);

  if (search == NULL || search[0] == '\0')
    return TRUE;

  needle = g_utf8_casefold (search, -1);
  login = g_utf8_casefold (self->login, -1);
  name = g_utf8_casefold (self->name, -1);

  return strstr (login, needle) != NULL || strstr (name, needle) != NULL;
}
