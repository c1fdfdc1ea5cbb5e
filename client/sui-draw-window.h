/* sui-draw-window.h: the public draw of one task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sui-events-client.h"
#include "sui-rpc-client.h"

G_BEGIN_DECLS

#define SUI_TYPE_DRAW_WINDOW (sui_draw_window_get_type ())

G_DECLARE_FINAL_TYPE (SuiDrawWindow, sui_draw_window, SUI, DRAW_WINDOW, AdwWindow)

/* What the client's own check of the draw found. */
typedef enum
{
  SUI_DRAW_CHECK_NONE,
  SUI_DRAW_CHECK_RUNNING,
  SUI_DRAW_CHECK_PASSED,
  SUI_DRAW_CHECK_FAILED,
} SuiDrawCheck;

SuiDrawWindow *sui_draw_window_new               (SuiRpcClient    *client,
                                                  SuiEventsClient *events,
                                                  const char      *role,
                                                  gint64           task_id);
gboolean       sui_draw_window_get_busy          (SuiDrawWindow   *self);
const char    *sui_draw_window_get_task_state    (SuiDrawWindow   *self);
gint64         sui_draw_window_get_draw_id       (SuiDrawWindow   *self);
SuiDrawCheck   sui_draw_window_get_check         (SuiDrawWindow   *self);
const char    *sui_draw_window_get_check_message (SuiDrawWindow   *self);
const char    *sui_draw_window_get_shown_commitment (SuiDrawWindow *self);
void           sui_draw_window_set_entropy_text  (SuiDrawWindow   *self,
                                                  const char      *text);
void           sui_draw_window_reload            (SuiDrawWindow   *self);
const char    *sui_draw_window_get_match_text    (SuiDrawWindow   *self);
void           sui_draw_window_request_void      (SuiDrawWindow   *self,
                                                  const char      *reason);
char          *sui_draw_window_get_draws_text    (SuiDrawWindow   *self);
void           sui_draw_window_set_match_entropy_text (SuiDrawWindow *self,
                                                  const char      *text);

G_END_DECLS
