/* sui-task-editor.h: editing one task of an annual plan
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_TASK_EDITOR (sui_task_editor_get_type ())

G_DECLARE_FINAL_TYPE (SuiTaskEditor, sui_task_editor, SUI, TASK_EDITOR, AdwWindow)

/* @task_id 0: a new task of @plan_id. @supervisor: the user drafts and readies tasks of the
 * plan's unit; @plan_editable: the plan may be changed now (plans.get `editable`). */
SuiTaskEditor *sui_task_editor_new              (SuiRpcClient  *client,
                                                 gint64         plan_id,
                                                 gint64         task_id,
                                                 gboolean       supervisor,
                                                 gboolean       plan_editable);
gboolean       sui_task_editor_get_busy         (SuiTaskEditor *self);
gboolean       sui_task_editor_get_ready        (SuiTaskEditor *self);
gint64         sui_task_editor_get_task_id      (SuiTaskEditor *self);
JsonObject    *sui_task_editor_get_task         (SuiTaskEditor *self);
JsonObject    *sui_task_editor_get_preview      (SuiTaskEditor *self);
gboolean       sui_task_editor_get_preview_pending (SuiTaskEditor *self);
const char    *sui_task_editor_get_preview_message (SuiTaskEditor *self);
const char    *sui_task_editor_get_last_message (SuiTaskEditor *self);
/* Fields by the names of docs/protocol.md (ratios as percent text). */
void           sui_task_editor_set_field_text   (SuiTaskEditor *self,
                                                 const char    *field,
                                                 const char    *text);
const char    *sui_task_editor_get_field_error  (SuiTaskEditor *self,
                                                 const char    *field);
gboolean       sui_task_editor_choose_item      (SuiTaskEditor *self,
                                                 gint64         item_id,
                                                 const char    *method,
                                                 const char    *reason);
void           sui_task_editor_set_scope_type   (SuiTaskEditor *self,
                                                 const char    *type);
JsonNode      *sui_task_editor_build_scope      (SuiTaskEditor *self);
void           sui_task_editor_save             (SuiTaskEditor *self);
void           sui_task_editor_make_ready       (SuiTaskEditor *self);

G_END_DECLS
