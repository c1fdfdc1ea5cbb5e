/* sui-error-data.h: reading the `data` of JSON-RPC errors for the user interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

GHashTable *sui_error_data_get_fields       (JsonNode     *data);
GDateTime  *sui_error_data_get_locked_until (JsonNode     *data);
char       *sui_error_data_describe_login   (const GError *error,
                                             JsonNode     *data);

G_END_DECLS
