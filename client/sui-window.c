/* sui-window.c: the main window of a signed-in user
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sidebar lists only the areas the user's role may use; each area is one page in the
 * stack. The window owns the /events connection and shows a banner while it is down.
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-account-page.h"
#include "sui-admin-page.h"
#include "sui-application.h"
#include "sui-inspectors-page.h"
#include "sui-items-page.h"
#include "sui-json.h"
#include "sui-objects-page.h"
#include "sui-plans-page.h"
#include "sui-settings.h"
#include "sui-tags-page.h"
#include "sui-user.h"
#include "sui-window.h"

struct _SuiWindow
{
  AdwApplicationWindow parent_instance;

  GtkRevealer *banner;
  AdwLeaflet *leaflet;
  GtkListBox *sidebar_list;
  GtkLabel *user_label;
  GtkLabel *unit_label;
  GtkBox *content;
  AdwWindowTitle *content_title;
  GtkStack *stack;

  SuiRpcClient *client;
  SuiEventsClient *events;
  SuiUser *user;
  gboolean leaving;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_USER,
  PROP_VISIBLE_AREA,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SuiWindow, sui_window, ADW_TYPE_APPLICATION_WINDOW)

/* The size to open with next time: the unmaximized size, and whether it was maximized. */
static void
remember_size (SuiWindow *self)
{
  g_autoptr(GError) error = NULL;
  int width = 0;
  int height = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width <= 0 || height <= 0)
    return;
  if (!sui_settings_save_window_size (width, height, gtk_window_is_maximized (GTK_WINDOW (self)),
                                      &error))
    g_warning ("Could not remember the window size: %s", error->message);
}

static void
restore_size (SuiWindow *self)
{
  int width, height;
  gboolean maximized;

  if (!sui_settings_get_window_size (&width, &height, &maximized))
    return;
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (maximized)
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
sui_window_close_request (GtkWindow *window)
{
  remember_size (SUI_WINDOW (window));

  return GTK_WINDOW_CLASS (sui_window_parent_class)->close_request (window);
}

static void
leave_session (SuiWindow  *self,
               const char *message)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  remember_size (self);

  if (self->events != NULL)
    sui_events_client_stop (self->events);

  if (SUI_IS_APPLICATION (application))
    sui_application_show_login (SUI_APPLICATION (application), message);
  else
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
logout_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SuiWindow) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  /* Leave whatever the answer: an unreachable server must not keep anyone signed in here. */
  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (node == NULL)
    g_debug ("auth.logout: %s", error->message);

  sui_rpc_client_set_token (self->client, NULL);
  leave_session (self, NULL);
}

static void
logout_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SuiWindow *self = SUI_WINDOW (widget);
  g_autoptr(JsonNode) params = json_node_init_object (json_node_alloc (), json_object_new ());

  if (self->leaving)
    return;

  self->leaving = TRUE;
  gtk_widget_action_set_enabled (widget, "win.logout", FALSE);
  sui_rpc_client_call_async (self->client, "auth.logout", params, NULL,
                             logout_cb, g_object_ref (self));
}

static void
on_unauthorized (SuiWindow    *self,
                 SuiRpcClient *client)
{
  if (self->leaving)
    return;

  self->leaving = TRUE;
  sui_rpc_client_set_token (self->client, NULL);
  leave_session (self, _("Your session has ended. Please log in again."));
}

static void
on_events_disconnected (SuiWindow       *self,
                        GParamSpec      *pspec,
                        SuiEventsClient *events)
{
  gtk_revealer_set_reveal_child (self->banner, sui_events_client_get_disconnected (events));
}

static void
add_area (SuiWindow  *self,
          const char *name,
          const char *title,
          const char *icon_name,
          GtkWidget  *page)
{
  GtkWidget *row;
  GtkWidget *box;
  GtkWidget *label;

  gtk_stack_add_titled (self->stack, page, name, title);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (icon_name));
  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  g_object_set_data_full (G_OBJECT (row), "area", g_strdup (name), g_free);
  gtk_list_box_append (self->sidebar_list, row);
}

static void
on_area_selected (SuiWindow     *self,
                  GtkListBoxRow *row)
{
  const char *name;
  GtkStackPage *page;

  if (row == NULL)
    return;

  name = g_object_get_data (G_OBJECT (row), "area");
  gtk_stack_set_visible_child_name (self->stack, name);
  page = gtk_stack_get_page (self->stack, gtk_stack_get_visible_child (self->stack));
  adw_window_title_set_title (self->content_title, gtk_stack_page_get_title (page));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_AREA]);
}

static void
on_area_activated (SuiWindow     *self,
                   GtkListBoxRow *row)
{
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content));
}

static void
on_back_clicked (SuiWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

const char *
sui_window_get_visible_area (SuiWindow *self)
{
  g_return_val_if_fail (SUI_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

void
sui_window_set_visible_area (SuiWindow  *self,
                             const char *area)
{
  g_return_if_fail (SUI_IS_WINDOW (self));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX_ROW (child) &&
          g_strcmp0 (g_object_get_data (G_OBJECT (child), "area"), area) == 0)
        {
          gtk_list_box_select_row (self->sidebar_list, GTK_LIST_BOX_ROW (child));
          return;
        }
    }
}

/* Whether the sidebar offers @area to this user. */
gboolean
sui_window_has_area (SuiWindow  *self,
                     const char *area)
{
  g_return_val_if_fail (SUI_IS_WINDOW (self), FALSE);

  return gtk_stack_get_child_by_name (self->stack, area) != NULL;
}

/* Whether the "connection lost" banner is up. */
gboolean
sui_window_get_connection_lost (SuiWindow *self)
{
  g_return_val_if_fail (SUI_IS_WINDOW (self), FALSE);

  return gtk_revealer_get_reveal_child (self->banner);
}

SuiEventsClient *
sui_window_get_events (SuiWindow *self)
{
  g_return_val_if_fail (SUI_IS_WINDOW (self), NULL);

  return self->events;
}

static void
sui_window_constructed (GObject *object)
{
  SuiWindow *self = (SuiWindow *)object;
  g_autofree char *user_text = NULL;
  gboolean is_admin;
  gboolean keeps_registers;

  G_OBJECT_CLASS (sui_window_parent_class)->constructed (object);

  g_return_if_fail (self->client != NULL);
  g_return_if_fail (self->user != NULL);

  user_text = g_strdup_printf ("%s（%s）", sui_user_get_name (self->user),
                               sui_role_to_label (sui_user_get_role (self->user)));
  gtk_label_set_text (self->user_label, user_text);
  gtk_label_set_text (self->unit_label, sui_user_get_unit_name (self->user));

  g_signal_connect_object (self->client, "unauthorized",
                           G_CALLBACK (on_unauthorized), self, G_CONNECT_SWAPPED);

  self->events = sui_events_client_new (sui_rpc_client_get_base_url (self->client),
                                        sui_rpc_client_get_token (self->client));
  g_signal_connect_object (self->events, "notify::disconnected",
                           G_CALLBACK (on_events_disconnected), self, G_CONNECT_SWAPPED);

  is_admin = g_strcmp0 (sui_user_get_role (self->user), "admin") == 0;
  keeps_registers = is_admin || g_strcmp0 (sui_user_get_role (self->user), "supervisor") == 0;
  /* The registers: a supervisor keeps their unit's, an admin sees every unit's. */
  if (keeps_registers)
    {
      /* The item list: a supervisor keeps the unit's and claims from the catalogue, an
       * admin keeps the catalogue and reads every unit's list. */
      add_area (self, "items", _("Item List"), "view-list-symbolic",
                GTK_WIDGET (sui_items_page_new (self->client, self->events, is_admin)));
      add_area (self, "objects", _("Inspection Objects"), "system-users-symbolic",
                GTK_WIDGET (sui_objects_page_new (self->client, self->events, is_admin)));
      add_area (self, "inspectors", _("Inspectors"), "contact-new-symbolic",
                GTK_WIDGET (sui_inspectors_page_new (self->client, self->events, is_admin)));
      add_area (self, "tags", _("Tags"), "user-bookmarks-symbolic",
                GTK_WIDGET (sui_tags_page_new (self->client, self->events, is_admin)));
      /* Plans: a supervisor drafts the unit's, the administrator approves every unit's. */
      add_area (self, "plans", _("Plans"), "x-office-calendar-symbolic",
                GTK_WIDGET (sui_plans_page_new (self->client, self->events,
                                                sui_user_get_role (self->user))));
    }
  if (is_admin)
    add_area (self, "admin", _("System Administration"), "emblem-system-symbolic",
              GTK_WIDGET (sui_admin_page_new (self->client, self->events)));
  add_area (self, "account", _("My Account"), "avatar-default-symbolic",
            GTK_WIDGET (sui_account_page_new (self->client, self->user)));

  sui_window_set_visible_area (self, is_admin ? "admin" : "account");
  sui_events_client_start (self->events);
}

static void
sui_window_dispose (GObject *object)
{
  SuiWindow *self = (SuiWindow *)object;

  if (self->events != NULL)
    sui_events_client_stop (self->events);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (sui_window_parent_class)->dispose (object);
}

static void
sui_window_finalize (GObject *object)
{
  SuiWindow *self = (SuiWindow *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->user);

  G_OBJECT_CLASS (sui_window_parent_class)->finalize (object);
}

static void
sui_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SuiWindow *self = SUI_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_VISIBLE_AREA:
      g_value_set_string (value, sui_window_get_visible_area (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  SuiWindow *self = SUI_WINDOW (object);
  JsonNode *node;

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    case PROP_USER:
      node = g_value_get_boxed (value);
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        self->user = sui_user_new_from_json (json_node_get_object (node));
      break;

    case PROP_VISIBLE_AREA:
      sui_window_set_visible_area (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_window_class_init (SuiWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = sui_window_constructed;
  object_class->dispose = sui_window_dispose;
  object_class->finalize = sui_window_finalize;
  object_class->get_property = sui_window_get_property;
  object_class->set_property = sui_window_set_property;
  window_class->close_request = sui_window_close_request;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, SUI_TYPE_RPC_CLIENT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_USER] =
    g_param_spec_boxed ("user", NULL, NULL, JSON_TYPE_NODE,
                        (G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_VISIBLE_AREA] =
    g_param_spec_string ("visible-area", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/shuangsui/Desk/ui/sui-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SuiWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, SuiWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SuiWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, SuiWindow, user_label);
  gtk_widget_class_bind_template_child (widget_class, SuiWindow, unit_label);
  gtk_widget_class_bind_template_child (widget_class, SuiWindow, content);
  gtk_widget_class_bind_template_child (widget_class, SuiWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, SuiWindow, stack);
  gtk_widget_class_bind_template_callback (widget_class, on_area_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_area_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);

  gtk_widget_class_install_action (widget_class, "win.logout", NULL, logout_action);
}

static void
sui_window_init (SuiWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  restore_size (self);
}

SuiWindow *
sui_window_new (GtkApplication *application,
                SuiRpcClient   *client,
                JsonNode       *user)
{
  return g_object_new (SUI_TYPE_WINDOW,
                       "application", application,
                       "client", client,
                       "user", user,
                       NULL);
}
