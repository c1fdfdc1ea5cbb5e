-- 0016_task_clean_exclusion.sql: a task's second exclusion period, for objects checked
-- recently with no problem found
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- DOMAIN.md: "The same object is not checked for the same item more than once a year by
-- random draw (configurable); objects checked recently with no problem are left out by
-- default, objects with past problems may be over-sampled."  exclusion_months (0003) is
-- now the same-item rule: an object drawn (a run object draw, not voided) by another task
-- listing one of this task's items within that many months before the window is left out
-- (sui-tasks.c).  clean_exclusion_months is the other rule: an object whose register
-- last_check_date lies within that many months before the window and whose
-- last_check_result says no problem was found (code '1', 未发现问题) is left out; an
-- object whose last check found a problem is not.  0 turns a rule off.

alter table task
  add column clean_exclusion_months integer not null default 12
    check (clean_exclusion_months between 0 and 120);
