/* sui-draw-record.c: checking and printing an exported draw record in the client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client does not take the server's word that a draw was fair: it re-runs the exported
 * record with the same common/ code the daemon uses (sui_draw_verify) in a worker thread, and
 * then compares the commitment and the candidate hash with what it showed the witnesses
 * before the draw, since a record that is merely consistent could have been rebuilt by
 * whoever knows the secret. The printed record is laid out line by line so that thousands of
 * drawn ids flow over as many A4 pages as they need.
 */
#include "sui-config.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "sui-draw.h"
#include "sui-draw-record.h"
#include "sui-json.h"

#define PAGE_WIDTH  595.0   /* A4 in points */
#define PAGE_HEIGHT 842.0
#define MARGIN      50.0

G_DEFINE_QUARK (sui-draw-record-error-quark, sui_draw_record_error)

typedef struct
{
  char *text;
  char *commitment;
  char *candidate_hash;
} VerifyData;

static void
verify_data_free (gpointer data)
{
  VerifyData *v = data;

  g_free (v->text);
  g_free (v->commitment);
  g_free (v->candidate_hash);
  g_free (v);
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  VerifyData *v = task_data;
  g_autoptr(JsonNode) record = NULL;
  GError *error = NULL;
  JsonObject *object;

  record = json_from_string (v->text, &error);
  if (record == NULL || !JSON_NODE_HOLDS_OBJECT (record))
    {
      if (error == NULL)
        error = g_error_new_literal (SUI_DRAW_ERROR, SUI_DRAW_ERROR_INVALID,
                                     _("The record is not a JSON object."));
      g_task_return_error (task, error);
      return;
    }

  if (!sui_draw_verify (record, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  object = json_node_get_object (record);
  if (v->commitment != NULL &&
      g_ascii_strcasecmp (sui_json_get_string (object, "commitment"), v->commitment) != 0)
    {
      g_task_return_new_error (task, SUI_DRAW_RECORD_ERROR,
                               SUI_DRAW_RECORD_ERROR_PUBLISHED_COMMITMENT,
                               _("The record's commitment %s is not the one shown before the "
                                 "draw, %s."),
                               sui_json_get_string (object, "commitment"), v->commitment);
      return;
    }
  if (v->candidate_hash != NULL &&
      g_ascii_strcasecmp (sui_json_get_string (object, "candidate_hash"),
                          v->candidate_hash) != 0)
    {
      g_task_return_new_error (task, SUI_DRAW_RECORD_ERROR,
                               SUI_DRAW_RECORD_ERROR_PUBLISHED_CANDIDATE_HASH,
                               _("The record's candidate hash %s is not the one shown before "
                                 "the draw, %s."),
                               sui_json_get_string (object, "candidate_hash"),
                               v->candidate_hash);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * sui_draw_record_verify_async:
 * @shown_commitment: (nullable): the commitment the client showed before the draw
 * @shown_candidate_hash: (nullable): the candidate hash it showed
 *
 * Re-runs @record (the answer of draws.export) off the main thread.
 */
void
sui_draw_record_verify_async (JsonNode            *record,
                              const char          *shown_commitment,
                              const char          *shown_candidate_hash,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  VerifyData *v = g_new0 (VerifyData, 1);

  g_task_set_source_tag (task, sui_draw_record_verify_async);
  /* The text, not the node: the worker gets a copy nobody else touches. */
  v->text = json_to_string (record, FALSE);
  v->commitment = g_strdup (shown_commitment);
  v->candidate_hash = g_strdup (shown_candidate_hash);
  g_task_set_task_data (task, v, verify_data_free);
  g_task_run_in_thread (task, verify_thread);
}

gboolean
sui_draw_record_verify_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *
step_label (const GError *error)
{
  if (error->domain == SUI_DRAW_RECORD_ERROR)
    return error->code == SUI_DRAW_RECORD_ERROR_PUBLISHED_COMMITMENT
      ? _("commitment shown before the draw") : _("candidate hash shown before the draw");

  if (error->domain != SUI_DRAW_ERROR)
    return _("record");

  switch ((SuiDrawError) error->code)
    {
    case SUI_DRAW_ERROR_UNSUPPORTED:
      return _("algorithm");
    case SUI_DRAW_ERROR_INVALID:
      return _("record format");
    case SUI_DRAW_ERROR_COMMITMENT:
      return _("commitment");
    case SUI_DRAW_ERROR_CANDIDATE_HASH:
      return _("candidate hash");
    case SUI_DRAW_ERROR_SEED:
      return _("seed");
    case SUI_DRAW_ERROR_COUNT:
      return _("stratum sizes");
    case SUI_DRAW_ERROR_RESULT:
      return _("drawn objects");
    case SUI_DRAW_ERROR_RESULT_HASH:
      return _("result hash");
    default:
      return _("record");
    }
}

/* "Failed at step X: what differs", for the screen and the printed record. */
char *
sui_draw_record_describe_failure (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  return g_strdup_printf (_("First mismatch at the %s: %s"), step_label (error), error->message);
}

/* Printing */

typedef struct
{
  cairo_t *cr;
  PangoFontDescription *body;
  PangoFontDescription *mono;
  double y;
  guint page;
  guint max_pages;  /* 0: no limit; a PNG shows the first page only */
  gboolean full;
} Printer;

static void
new_page (Printer *p)
{
  cairo_show_page (p->cr);
  p->page++;
  p->y = MARGIN;
  if (p->max_pages != 0 && p->page >= p->max_pages)
    p->full = TRUE;
}

/* Lays @text out from @x to the right margin and draws it line by line, breaking pages
 * between lines. */
static void
print_text (Printer                    *p,
            const PangoFontDescription *font,
            double                      x,
            const char                 *text,
            gboolean                    markup)
{
  g_autoptr(PangoLayout) layout = NULL;
  int n_lines;

  if (p->full)
    return;

  layout = pango_cairo_create_layout (p->cr);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) ((PAGE_WIDTH - MARGIN - x) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  if (markup)
    pango_layout_set_markup (layout, text, -1);
  else
    pango_layout_set_text (layout, text, -1);

  n_lines = pango_layout_get_line_count (layout);
  for (int i = 0; i < n_lines && !p->full; i++)
    {
      PangoLayoutLine *line = pango_layout_get_line_readonly (layout, i);
      PangoRectangle logical;

      pango_layout_line_get_pixel_extents (line, NULL, &logical);
      if (p->y + logical.height > PAGE_HEIGHT - MARGIN)
        {
          new_page (p);
          if (p->full)
            break;
        }
      cairo_move_to (p->cr, x, p->y - logical.y);
      pango_cairo_show_layout_line (p->cr, line);
      p->y += logical.height;
    }
}

static void
print_field (Printer    *p,
             const char *label,
             const char *value,
             gboolean    mono)
{
  double top = p->y;
  guint page = p->page;
  double after_label;

  print_text (p, p->body, MARGIN, label, FALSE);
  after_label = p->y;
  if (p->page == page)
    p->y = top;
  print_text (p, mono ? p->mono : p->body, MARGIN + 100,
              value != NULL && *value ? value : "—", FALSE);
  if (p->page == page)
    p->y = MAX (p->y, after_label);
  p->y += 3;
}

static char *
entropy_text (JsonObject *record)
{
  JsonNode *node = json_object_get_member (record, "entropy");
  g_autoptr(GString) text = g_string_new (NULL);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *entry = json_array_get_string_element (array, i);

          /* Translators: one entropy entry: its number and the text typed by a witness */
          g_string_append_printf (text, _("%u. “%s”"), i + 1, entry != NULL ? entry : "");
          if (i + 1 < json_array_get_length (array))
            g_string_append_c (text, '\n');
        }
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
print_strata (Printer    *p,
              JsonObject *record)
{
  JsonNode *node = json_object_get_member (record, "strata");
  JsonArray *strata;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;

  strata = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (strata); i++)
    {
      JsonObject *stratum = json_array_get_object_element (strata, i);
      JsonNode *drawn_node = json_object_get_member (stratum, "drawn");
      JsonNode *ratio_node = json_object_get_member (stratum, "ratio_bp");
      g_autoptr(GString) ids = g_string_new (NULL);
      g_autofree char *ratio = NULL;
      g_autofree char *heading = NULL;
      g_autofree char *bold = NULL;
      g_autofree char *n = NULL;
      g_autofree char *k = NULL;

      if (ratio_node != NULL && JSON_NODE_HOLDS_VALUE (ratio_node))
        ratio = g_strdup_printf ("%.2f %%", json_node_get_int (ratio_node) / 100.0);
      else
        ratio = g_strdup (_("explicit k"));

      /* Translators: a stratum of a draw: risk class, sampling ratio, candidates, drawn */
      n = g_strdup_printf ("%" G_GINT64_FORMAT, sui_json_get_int (stratum, "n"));
      k = g_strdup_printf ("%" G_GINT64_FORMAT, sui_json_get_int (stratum, "k"));
      heading = g_strdup_printf (_("Stratum %s · ratio %s · candidates n = %s · drawn k = %s"),
                                 sui_json_get_string (stratum, "name"), ratio, n, k);
      bold = g_markup_printf_escaped ("<b>%s</b>", heading);
      p->y += 4;
      print_text (p, p->body, MARGIN, bold, TRUE);

      if (drawn_node != NULL && JSON_NODE_HOLDS_ARRAY (drawn_node))
        {
          JsonArray *drawn = json_node_get_array (drawn_node);

          for (guint j = 0; j < json_array_get_length (drawn); j++)
            {
              g_string_append_printf (ids, "%u:%s", j + 1,
                                      json_array_get_string_element (drawn, j));
              if (j + 1 < json_array_get_length (drawn))
                g_string_append (ids, "  ");
            }
        }
      if (ids->len == 0)
        g_string_append (ids, _("(none)"));

      print_text (p, p->body, MARGIN, _("Drawn object ids by rank:"), FALSE);
      print_text (p, p->mono, MARGIN + 12, ids->str, FALSE);
    }
}

static void
render (cairo_t    *cr,
        JsonObject *record,
        const char *task_name,
        const char *verification,
        guint       max_pages)
{
  Printer p = { cr, NULL, NULL, MARGIN, 0, max_pages, FALSE };
  g_autofree char *entropy = entropy_text (record);
  g_autofree char *draw_no = g_strdup_printf ("%" G_GINT64_FORMAT,
                                              sui_json_get_id (record, "draw_id"));
  g_autofree char *run_by = NULL;
  g_autofree char *title = NULL;
  g_autofree char *printed = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M");
  g_autofree char *committed_at = sui_json_format_time (record, "committed_at");
  g_autofree char *run_at = sui_json_format_time (record, "run_at");

  p.body = pango_font_description_from_string ("Noto Sans CJK SC, Noto Serif CJK SC, Sans 9.5");
  p.mono = pango_font_description_from_string ("Noto Sans Mono CJK SC, Monospace 8.5");

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);

  title = g_markup_printf_escaped ("<span size='x-large' weight='bold'>%s</span>",
                                   _("Random Draw Record"));
  print_text (&p, p.body, MARGIN, title, TRUE);
  p.y += 10;

  run_by = g_strdup_printf ("%s (%" G_GINT64_FORMAT ")",
                            sui_json_get_string (record, "run_by_name"),
                            sui_json_get_id (record, "run_by"));
  print_field (&p, _("Task"), task_name, FALSE);
  print_field (&p, _("Draw no."), draw_no, FALSE);
  print_field (&p, _("State"), sui_json_get_string (record, "state"), FALSE);
  print_field (&p, _("Committed at"), committed_at, FALSE);
  print_field (&p, _("Run at"), run_at, FALSE);
  print_field (&p, _("Run by"), run_by, FALSE);
  print_field (&p, _("Algorithm"), sui_json_get_string (record, "algorithm"), TRUE);
  print_field (&p, _("Commitment"), sui_json_get_string (record, "commitment"), TRUE);
  print_field (&p, _("Secret"), sui_json_get_string (record, "secret"), TRUE);
  print_field (&p, _("Entropy"), entropy, TRUE);
  print_field (&p, _("Candidate hash"), sui_json_get_string (record, "candidate_hash"), TRUE);
  print_field (&p, _("Seed"), sui_json_get_string (record, "seed"), TRUE);
  print_field (&p, _("Result hash"), sui_json_get_string (record, "result_hash"), TRUE);
  print_field (&p, _("Verification"), verification, FALSE);
  if (*sui_json_get_string (record, "void_reason") != '\0')
    print_field (&p, _("Void reason"), sui_json_get_string (record, "void_reason"), FALSE);

  p.y += 8;
  print_strata (&p, record);

  p.y += 24;
  print_text (&p, p.body, MARGIN,
              _("Run by (signature): ____________    Witnesses (signatures): "
                "____________  ____________"), FALSE);
  p.y += 8;
  printed = g_strdup_printf (_("Printed %s. Anyone can re-run this draw from its record with "
                               "docs/draw-algorithm.md."), stamp);
  print_text (&p, p.body, MARGIN, printed, FALSE);

  pango_font_description_free (p.body);
  pango_font_description_free (p.mono);
}

gboolean
sui_draw_record_write_pdf (JsonObject  *record,
                           const char  *task_name,
                           const char  *verification,
                           const char  *path,
                           GError     **error)
{
  cairo_surface_t *surface = cairo_pdf_surface_create (path, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_status_t status;
  cairo_t *cr;

  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, _("Random Draw Record"));
  cr = cairo_create (surface);
  render (cr, record, task_name, verification, 0);
  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write “%s”: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}

/* The first page at 2× as an image, to look at a record without a PDF viewer. */
gboolean
sui_draw_record_write_png (JsonObject  *record,
                           const char  *task_name,
                           const char  *verification,
                           const char  *path,
                           GError     **error)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                                         (int) PAGE_WIDTH * 2,
                                                         (int) PAGE_HEIGHT * 2);
  cairo_t *cr = cairo_create (surface);
  gboolean ok;

  cairo_scale (cr, 2, 2);
  render (cr, record, task_name, verification, 1);
  cairo_destroy (cr);
  ok = cairo_surface_write_to_png (surface, path) == CAIRO_STATUS_SUCCESS;
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write “%s”: %s"), path,
                 "png");
  cairo_surface_destroy (surface);

  return ok;
}

typedef struct
{
  JsonObject *record;
  char *task_name;
  char *verification;
  char *path;
} SaveData;

static void
save_data_free (gpointer data)
{
  SaveData *s = data;

  json_object_unref (s->record);
  g_free (s->task_name);
  g_free (s->verification);
  g_free (s->path);
  g_free (s);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *s = task_data;
  GError *error = NULL;

  if (sui_draw_record_write_pdf (s->record, s->task_name, s->verification, s->path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Writes the PDF in a worker thread, from a deep copy of @record. */
void
sui_draw_record_save_pdf_async (JsonObject          *record,
                                const char          *task_name,
                                const char          *verification,
                                GFile               *file,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  SaveData *s = g_new0 (SaveData, 1);
  g_autoptr(JsonNode) wrapper = json_node_init_object (json_node_alloc (), record);
  g_autofree char *text = json_to_string (wrapper, FALSE);
  g_autoptr(JsonNode) copy = json_from_string (text, NULL);

  g_task_set_source_tag (task, sui_draw_record_save_pdf_async);
  s->record = json_object_ref (json_node_get_object (copy));
  s->task_name = g_strdup (task_name);
  s->verification = g_strdup (verification);
  s->path = g_file_get_path (file);
  g_task_set_task_data (task, s, save_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
sui_draw_record_save_pdf_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
