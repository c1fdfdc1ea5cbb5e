/* sui-joint-dialog.h: the joint-task assistant (联合抽查向导) of one task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "sui-events-client.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_JOINT_DIALOG (sui_joint_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SuiJointDialog, sui_joint_dialog, SUI, JOINT_DIALOG, AdwWindow)

/* What the signed-in user may do in the dialog. */
typedef enum
{
  SUI_JOINT_MODE_UNKNOWN,    /* not loaded yet */
  SUI_JOINT_MODE_READ_ONLY,  /* admin, or a unit that may only look */
  SUI_JOINT_MODE_LEAD,       /* a supervisor of the unit that leads the task */
  SUI_JOINT_MODE_PARTNER,    /* a supervisor of a department taking part */
} SuiJointMode;

/* @parent: (nullable): the window it belongs to (e.g. the task editor)
 * @events: (nullable): the /events feed; with it the dialog follows others' changes live,
 *   without it the user reloads with the button
 * @user: (nullable): the signed-in user as auth.whoami gives it ({id, role, unit_id});
 *   NULL: the dialog asks auth.whoami itself
 * Returns: (transfer none): the dialog, shown; it lives until closed */
SuiJointDialog *sui_joint_dialog_new                (GtkWindow       *parent,
                                                     SuiRpcClient    *client,
                                                     SuiEventsClient *events,
                                                     JsonObject      *user,
                                                     gint64           task_id);
void            sui_joint_dialog_reload             (SuiJointDialog  *self);
gboolean        sui_joint_dialog_get_busy           (SuiJointDialog  *self);
SuiJointMode    sui_joint_dialog_get_mode           (SuiJointDialog  *self);
/* The last tasks.departments answer. */
JsonObject     *sui_joint_dialog_get_data           (SuiJointDialog  *self);
/* The last message shown to the user (toast or status page). */
const char     *sui_joint_dialog_get_last_message   (SuiJointDialog  *self);
/* The state and the share as shown for a part (NULL when the unit takes no part). */
const char     *sui_joint_dialog_get_part_state     (SuiJointDialog  *self,
                                                     gint64           unit_id);
const char     *sui_joint_dialog_get_part_share     (SuiJointDialog  *self,
                                                     gint64           unit_id);
/* The message shown at a field: "unit_id", "invite_inspectors_per_object", "items",
 * "inspectors_per_object", "note"; NULL when none. */
const char     *sui_joint_dialog_get_field_error    (SuiJointDialog  *self,
                                                     const char      *field);
gboolean        sui_joint_dialog_get_dirty          (SuiJointDialog  *self);

/* Driving the widgets as a user would (for tests and for callers that preselect). */
gboolean        sui_joint_dialog_choose_candidate   (SuiJointDialog  *self,
                                                     gint64           unit_id);
void            sui_joint_dialog_set_invite_inspectors (SuiJointDialog *self,
                                                     int              count);
/* @method NULL: leave the item out of the part. */
gboolean        sui_joint_dialog_choose_item        (SuiJointDialog  *self,
                                                     gint64           item_id,
                                                     const char      *method,
                                                     const char      *reason);
guint           sui_joint_dialog_get_n_items_offered (SuiJointDialog *self);
void            sui_joint_dialog_set_inspectors_per_object (SuiJointDialog *self,
                                                     int              count);
void            sui_joint_dialog_set_note           (SuiJointDialog  *self,
                                                     const char      *note);

G_END_DECLS
