/* sui-tasks.h: the tasks.* methods
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"

G_BEGIN_DECLS

void      sui_tasks_register       (void);

G_END_DECLS
