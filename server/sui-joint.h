/* sui-joint.h: joint tasks (一业一查) — partner departments and their parts of a task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void sui_joint_register (void);

G_END_DECLS
