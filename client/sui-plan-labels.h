/* sui-plan-labels.h: labels of plan, task and draw states, and params for calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonNode   *sui_params_new        (JsonObject **object);
const char *sui_task_state_label  (const char  *state);
const char *sui_draw_state_label  (const char  *state);
const char *sui_plan_state_label  (const char  *state);
const char *sui_change_state_label (const char *state);
const char *sui_task_field_label  (const char  *field);
const char *sui_match_rule_label  (const char  *rule);
const char *sui_method_label      (const char  *code);

G_END_DECLS
