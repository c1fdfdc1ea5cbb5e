-- 0009_assignment_view.sql: the live assignments show the part each one fills
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- inspector_assignment_live was made (0004) as "select a.*", which PostgreSQL expands when
-- the view is created: the part_unit_id that 0008 added to the table did not reach it.

create or replace view inspector_assignment_live as
  select a.* from inspector_assignment a join draw d on d.id = a.draw_id
   where d.state <> 'voided';
