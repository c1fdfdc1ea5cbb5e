-- 0010_assignment_check.sql: the assignment guard, checked once per row
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- The rules of 0008 are unchanged.  That version named every rule twice (once to find a bad
-- row, once to say which rule it broke) and looked a recusal up twice per row; for the
-- 20 000 assignments of a large match that was most of a second.  Each row is now judged
-- once, the recusal found by a join on its (unique, partial) index.

create or replace function sui_assignment_check () returns trigger
language plpgsql as $$
declare
  v_bad record;
begin
  select x.object_id, x.inspector_id, x.rule
    into v_bad
    from (select a.object_id, a.inspector_id,
                 case
                   when d.kind <> 'inspectors' or d.task_id <> a.task_id then 'draw'
                   when i.unit_id <> coalesce (a.part_unit_id, t.unit_id)
                        or (a.part_unit_id is not null and a.part_unit_id <> t.unit_id
                            and td.id is null) then 'unit'
                   when i.cert_valid_from > t.window_start
                        or i.cert_valid_until < t.window_end then 'certificate'
                   when not s.assignable then 'duty'
                   when r.id is not null then 'recusal'
                   when t.avoid_last_inspector and o.last_inspector_id = a.inspector_id
                     then 'last_inspector'
                   when not (i.tag_ids @> coalesce (td.inspector_tag_ids, t.inspector_tag_ids))
                     then 'tags'
                 end as rule
            from added a
                 join draw d on d.id = a.draw_id
                 join task t on t.id = a.task_id
                 join inspector i on i.id = a.inspector_id
                 join inspector_status s on s.code = i.status
                 join object o on o.id = a.object_id
                 left join task_department td on td.task_id = a.task_id
                                             and td.unit_id = a.part_unit_id
                 left join inspector_recusal r on r.inspector_id = a.inspector_id
                                              and r.object_id = a.object_id
                                              and r.removed_at is null) x
   where x.rule is not null
   limit 1;
  if found then
    raise exception 'assignment of inspector % to object % breaks rule %',
      v_bad.inspector_id, v_bad.object_id, v_bad.rule
      using errcode = 'check_violation';
  end if;
  return null;
end
$$;
