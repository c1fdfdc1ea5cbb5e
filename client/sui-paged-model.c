/* sui-paged-model.c: a list model that pages through a register by keyset
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A register may hold a hundred thousand records; this model holds only the pages asked for.
 * The first page is fetched with `with_count`, so the view can say how many records match
 * while showing only the first few hundred; the view asks for the next page (load_more) when
 * the user scrolls near the end. A new filter drops the pages and starts over; an answer to an
 * older filter that arrives late is dropped with its cancelled request.
 */
#include "sui-config.h"

#include "sui-paged-model.h"

#define DEFAULT_PAGE_SIZE 200

struct _SuiPagedModel
{
  GObject parent_instance;

  SuiRpcClient *client;
  char *method;
  JsonNode *filter;
  char *order;
  gboolean descending;
  guint page_size;

  GPtrArray *items;
  JsonNode *next_after;
  GCancellable *cancellable;
  gint64 total;
  guint loading : 1;
  guint has_more : 1;
};

enum {
  PROP_0,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  PROP_LOADING,
  PROP_HAS_MORE,
  PROP_TOTAL,
  N_PROPS
};

enum {
  ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SuiPagedModel, sui_paged_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return SUI_TYPE_REGISTER_ROW;
}

static guint
get_n_items (GListModel *model)
{
  return SUI_PAGED_MODEL (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  SuiPagedModel *self = SUI_PAGED_MODEL (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
set_loading (SuiPagedModel *self,
             gboolean       loading)
{
  if (self->loading == !!loading)
    return;

  self->loading = !!loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static JsonNode *
page_params (SuiPagedModel *self,
             JsonNode      *after)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (self->filter != NULL)
    {
      json_builder_set_member_name (builder, "filter");
      json_builder_add_value (builder, json_node_copy (self->filter));
    }
  sui_paged_model_add_order (self, builder);
  json_builder_set_member_name (builder, "limit");
  json_builder_add_int_value (builder, self->page_size);
  if (after != NULL)
    {
      json_builder_set_member_name (builder, "after");
      json_builder_add_value (builder, json_node_copy (after));
    }
  else
    {
      json_builder_set_member_name (builder, "with_count");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
page_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SuiPagedModel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *page;
  JsonNode *items;
  JsonNode *next_after;
  JsonNode *total;
  guint before = self->items->len;

  node = sui_rpc_client_call_finish (SUI_RPC_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_loading (self, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error != NULL)
        g_signal_emit (self, signals[ERROR], 0, error);
      return;
    }

  page = json_node_get_object (node);
  items = json_object_get_member (page, "items");
  if (items != NULL && JSON_NODE_HOLDS_ARRAY (items))
    {
      JsonArray *array = json_node_get_array (items);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (element))
            g_ptr_array_add (self->items, sui_register_row_new (json_node_get_object (element)));
        }
    }

  total = json_object_get_member (page, "total");
  if (total != NULL && JSON_NODE_HOLDS_VALUE (total))
    {
      self->total = json_node_get_int (total);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }

  g_clear_pointer (&self->next_after, json_node_unref);
  next_after = json_object_get_member (page, "next_after");
  if (next_after != NULL && !JSON_NODE_HOLDS_NULL (next_after))
    self->next_after = json_node_copy (next_after);

  if (self->has_more != (self->next_after != NULL))
    {
      self->has_more = self->next_after != NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MORE]);
    }

  if (self->items->len != before)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), before, 0, self->items->len - before);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
}

static void
fetch (SuiPagedModel *self,
       JsonNode      *after)
{
  g_autoptr(JsonNode) params = page_params (self, after);

  set_loading (self, TRUE);
  sui_rpc_client_call_async (self->client, self->method, params, self->cancellable,
                             page_cb, g_object_ref (self));
}

/* Drops the request in flight, if any; the pages loaded stay. */
void
sui_paged_model_cancel (SuiPagedModel *self)
{
  g_return_if_fail (SUI_IS_PAGED_MODEL (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_loading (self, FALSE);
}

/**
 * sui_paged_model_reload:
 *
 * Drops every page and fetches the first one again (with the count).
 */
void
sui_paged_model_reload (SuiPagedModel *self)
{
  guint removed;

  g_return_if_fail (SUI_IS_PAGED_MODEL (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_clear_pointer (&self->next_after, json_node_unref);
  self->has_more = FALSE;
  self->total = -1;
  set_loading (self, FALSE);

  removed = self->items->len;
  if (removed > 0)
    {
      g_ptr_array_set_size (self->items, 0);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MORE]);

  fetch (self, NULL);
}

/**
 * sui_paged_model_load_more:
 *
 * Returns: %TRUE when a next page was asked for
 */
gboolean
sui_paged_model_load_more (SuiPagedModel *self)
{
  g_return_val_if_fail (SUI_IS_PAGED_MODEL (self), FALSE);

  if (self->loading || !self->has_more || self->next_after == NULL)
    return FALSE;

  fetch (self, self->next_after);
  return TRUE;
}

/**
 * sui_paged_model_set_filter:
 * @filter: (nullable): a filter expression of docs/protocol.md; the model copies it
 */
void
sui_paged_model_set_filter (SuiPagedModel *self,
                            JsonNode      *filter)
{
  g_return_if_fail (SUI_IS_PAGED_MODEL (self));

  g_clear_pointer (&self->filter, json_node_unref);
  if (filter != NULL)
    self->filter = json_node_copy (filter);

  sui_paged_model_reload (self);
}

/**
 * sui_paged_model_set_order:
 * @order: (nullable): one of the list method's orders (docs/protocol.md, "Orders"); %NULL
 *   for the id
 * @descending: whether to page from the other end
 *
 * Pages through the register in that order from the first page, unless it is the order the
 * model already has.
 */
void
sui_paged_model_set_order (SuiPagedModel *self,
                           const char    *order,
                           gboolean       descending)
{
  g_return_if_fail (SUI_IS_PAGED_MODEL (self));

  if (g_strcmp0 (order, self->order) == 0 && !descending == !self->descending)
    return;

  g_free (self->order);
  self->order = g_strdup (order);
  self->descending = descending;
  sui_paged_model_reload (self);
}

/**
 * sui_paged_model_add_order:
 * @builder: inside an object
 *
 * Adds the model's `order` and `descending` to params being built, for a call that should
 * follow the list's order (an export).
 */
void
sui_paged_model_add_order (SuiPagedModel *self,
                           JsonBuilder   *builder)
{
  g_return_if_fail (SUI_IS_PAGED_MODEL (self));

  if (self->order != NULL)
    {
      json_builder_set_member_name (builder, "order");
      json_builder_add_string_value (builder, self->order);
    }
  if (self->descending)
    {
      json_builder_set_member_name (builder, "descending");
      json_builder_add_boolean_value (builder, TRUE);
    }
}

/* Returns: (transfer none) (nullable): the order set, %NULL for the id */
const char *
sui_paged_model_get_order (SuiPagedModel *self,
                           gboolean      *descending)
{
  g_return_val_if_fail (SUI_IS_PAGED_MODEL (self), NULL);

  if (descending != NULL)
    *descending = self->descending;
  return self->order;
}

/* Returns: (transfer none) (nullable) */
JsonNode *
sui_paged_model_get_filter (SuiPagedModel *self)
{
  g_return_val_if_fail (SUI_IS_PAGED_MODEL (self), NULL);

  return self->filter;
}

void
sui_paged_model_set_page_size (SuiPagedModel *self,
                               guint          page_size)
{
  g_return_if_fail (SUI_IS_PAGED_MODEL (self));

  self->page_size = CLAMP (page_size, 1, 1000);
}

gboolean
sui_paged_model_get_loading (SuiPagedModel *self)
{
  g_return_val_if_fail (SUI_IS_PAGED_MODEL (self), FALSE);

  return self->loading;
}

gboolean
sui_paged_model_get_has_more (SuiPagedModel *self)
{
  g_return_val_if_fail (SUI_IS_PAGED_MODEL (self), FALSE);

  return self->has_more;
}

/* Returns: the number of matching records on the server, -1 until the first page came */
gint64
sui_paged_model_get_total (SuiPagedModel *self)
{
  g_return_val_if_fail (SUI_IS_PAGED_MODEL (self), -1);

  return self->total;
}

/* Returns: (transfer none) (nullable): the loaded row with that id */
SuiRegisterRow *
sui_paged_model_find (SuiPagedModel *self,
                      gint64         id,
                      guint         *position)
{
  g_return_val_if_fail (SUI_IS_PAGED_MODEL (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      SuiRegisterRow *record = g_ptr_array_index (self->items, i);

      if (sui_register_row_get_id (record) == id)
        {
          if (position != NULL)
            *position = i;
          return record;
        }
    }

  return NULL;
}

/* Puts a fresher copy of a loaded row in its place; FALSE when the row is not loaded. */
gboolean
sui_paged_model_replace (SuiPagedModel  *self,
                         SuiRegisterRow *record)
{
  guint position;

  g_return_val_if_fail (SUI_IS_PAGED_MODEL (self), FALSE);
  g_return_val_if_fail (SUI_IS_REGISTER_ROW (record), FALSE);

  if (sui_paged_model_find (self, sui_register_row_get_id (record), &position) == NULL)
    return FALSE;

  g_object_unref (g_ptr_array_index (self->items, position));
  g_ptr_array_index (self->items, position) = g_object_ref (record);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);

  return TRUE;
}

static void
sui_paged_model_dispose (GObject *object)
{
  SuiPagedModel *self = (SuiPagedModel *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (sui_paged_model_parent_class)->dispose (object);
}

static void
sui_paged_model_finalize (GObject *object)
{
  SuiPagedModel *self = (SuiPagedModel *)object;

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->filter, json_node_unref);
  g_clear_pointer (&self->next_after, json_node_unref);
  g_clear_pointer (&self->method, g_free);
  g_clear_pointer (&self->order, g_free);

  G_OBJECT_CLASS (sui_paged_model_parent_class)->finalize (object);
}

static void
sui_paged_model_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SuiPagedModel *self = SUI_PAGED_MODEL (object);

  switch (prop_id)
    {
    case PROP_ITEM_TYPE:
      g_value_set_gtype (value, SUI_TYPE_REGISTER_ROW);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_HAS_MORE:
      g_value_set_boolean (value, self->has_more);
      break;

    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sui_paged_model_class_init (SuiPagedModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = sui_paged_model_dispose;
  object_class->finalize = sui_paged_model_finalize;
  object_class->get_property = sui_paged_model_get_property;

  properties[PROP_ITEM_TYPE] =
    g_param_spec_gtype ("item-type", NULL, NULL, G_TYPE_OBJECT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  properties[PROP_HAS_MORE] = g_param_spec_boolean ("has-more", NULL, NULL, FALSE, ro);
  properties[PROP_TOTAL] = g_param_spec_int64 ("total", NULL, NULL, -1, G_MAXINT64, -1, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SuiPagedModel::error:
   * @error: why a page could not be fetched
   */
  signals[ERROR] =
    g_signal_new ("error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
sui_paged_model_init (SuiPagedModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->page_size = DEFAULT_PAGE_SIZE;
  self->total = -1;
  self->cancellable = g_cancellable_new ();
}

/**
 * sui_paged_model_new:
 * @method: the list method, e.g. `objects.list` or `inspectors.list`
 *
 * Nothing is fetched until sui_paged_model_reload() or sui_paged_model_set_filter().
 */
SuiPagedModel *
sui_paged_model_new (SuiRpcClient *client,
                     const char   *method)
{
  SuiPagedModel *self;

  g_return_val_if_fail (SUI_IS_RPC_CLIENT (client), NULL);
  g_return_val_if_fail (method != NULL, NULL);

  self = g_object_new (SUI_TYPE_PAGED_MODEL, NULL);
  self->client = g_object_ref (client);
  self->method = g_strdup (method);

  return self;
}
