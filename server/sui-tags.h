/* sui-tags.h: the tag library (分类标签库): tags.*, filters.count
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"

G_BEGIN_DECLS

void      sui_tags_register      (void);

G_END_DECLS
