/* sui-grades.h: the credit grade → risk class mapping (grades.list, grades.update)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sui-call.h"

G_BEGIN_DECLS

void      sui_grades_register    (void);

G_END_DECLS
