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
