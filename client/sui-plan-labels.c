/* sui-plan-labels.c: labels of plan, task and draw states, and params for calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sui-config.h"

#include <glib/gi18n.h>

#include "sui-plan-labels.h"

/* A params node whose object the caller fills through @object (owned by the node). */
JsonNode *
sui_params_new (JsonObject **object)
{
  JsonNode *node = json_node_alloc ();

  *object = json_object_new ();
  json_node_take_object (node, *object);
  return node;
}

const char *
sui_task_state_label (const char *state)
{
  static const struct { const char *code; const char *label; } labels[] = {
    { "draft", N_("Draft") },
    { "ready", N_("Ready to draw") },
    { "objects_drawn", N_("Objects drawn") },
    { "inspectors_drawn", N_("Inspectors drawn") },
    { "in_progress", N_("In progress") },
    { "results_complete", N_("Results complete") },
    { "published", N_("Published") },
    { "closed", N_("Closed") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (state, labels[i].code) == 0)
      return _(labels[i].label);

  return state != NULL ? state : "";
}

const char *
sui_draw_state_label (const char *state)
{
  if (g_strcmp0 (state, "committed") == 0)
    return _("Committed, not yet run");
  if (g_strcmp0 (state, "run") == 0)
    return _("Run");
  if (g_strcmp0 (state, "voided") == 0)
    return _("Voided");

  return state != NULL ? state : "";
}

const char *
sui_plan_state_label (const char *state)
{
  static const struct { const char *code; const char *label; } labels[] = {
    { "draft", N_("Draft") },
    { "submitted", N_("Submitted for approval") },
    { "approved", N_("Approved, not yet published") },
    { "published", N_("Published") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (state, labels[i].code) == 0)
      return _(labels[i].label);

  return state != NULL ? state : "";
}

const char *
sui_change_state_label (const char *state)
{
  static const struct { const char *code; const char *label; } labels[] = {
    { "requested", N_("Requested, awaiting the administrator") },
    { "approved", N_("Approved, to be published") },
    { "published", N_("Published") },
    { "rejected", N_("Rejected") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (state, labels[i].code) == 0)
      return _(labels[i].label);

  return state != NULL ? state : "";
}

/* The names of task and plan fields as plans.compare reports them. */
const char *
sui_task_field_label (const char *field)
{
  static const struct { const char *code; const char *label; } labels[] = {
    { "name", N_("Task name") },
    { "title", N_("Plan title") },
    { "note", N_("Note") },
    { "items", N_("Check items") },
    { "scope", N_("Object scope") },
    { "ratio_a_bp", N_("Ratio, class A") },
    { "ratio_b_bp", N_("Ratio, class B") },
    { "ratio_c_bp", N_("Ratio, class C") },
    { "ratio_d_bp", N_("Ratio, class D") },
    { "exclusion_months", N_("Exclusion period (months)") },
    { "inspectors_per_object", N_("Inspectors per object") },
    { "inspector_tag_ids", N_("Inspector tags") },
    { "inspector_task_cap", N_("Cap per inspector in this task") },
    { "inspector_month_cap", N_("Cap per inspector per month") },
    { "avoid_last_inspector", N_("Avoid the last inspector") },
    { "window_start", N_("Checks from") },
    { "window_end", N_("Checks until") },
    { "deadline", N_("Results due") },
    { "year", N_("Year") },
    { "ratios", N_("Plan's own sampling ratios") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (field, labels[i].code) == 0)
      return _(labels[i].label);

  return field != NULL ? field : "";
}

/* The hard rules of inspector matching, in their order (docs/draw-algorithm.md). */
const char *
sui_match_rule_label (const char *rule)
{
  static const struct { const char *code; const char *label; } labels[] = {
    { "certificate", N_("No certificate valid for the whole window") },
    { "duty", N_("Not on duty") },
    { "recusal", N_("Recused: declared conflict with this object") },
    { "last_inspector", N_("Checked this object last time") },
    { "tags", N_("Lacks the tags the task needs") },
    { "month_cap", N_("Monthly cap reached") },
    { "task_cap", N_("Cap for this task reached") },
    { "team", N_("Not enough inspectors for a team") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (rule, labels[i].code) == 0)
      return _(labels[i].label);

  return rule != NULL ? rule : "";
}

const char *
sui_method_label (const char *code)
{
  static const struct { const char *code; const char *label; } labels[] = {
    { "on_site", N_("On site") },
    { "written", N_("Written review") },
    { "data_sharing", N_("Data sharing") },
    { "online", N_("Online monitoring") },
    { "video", N_("Video check") },
    { "expert", N_("Expert opinion") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (code, labels[i].code) == 0)
      return _(labels[i].label);

  return code != NULL ? code : "";
}
