-- 0014_draw_compact.sql: a stratum's candidates stored packed; a match's rows checked per
-- statement
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- An inspector match freezes one candidate list per drawn object: for 10 000 objects and
-- 500 inspectors some 3.7 million ids. As bigint[] (0003, uncompressed since 0007) that is
-- 30 MB of arrays sent as text, parsed, and written out of line, about half a second of
-- the match, and as much again each time draws.verify or draws.export reads them back.
--
-- candidates_packed keeps the same list in about one byte per id: the ids in ascending
-- numeric order, each written as its difference from the one before (the first as itself)
-- in unsigned LEB128 (seven bits a byte, lowest first; the high bit of a byte is set when
-- another byte of the same number follows). A stratum has either candidates (the rows
-- written before this migration, and object draws, whose strata are few) or
-- candidates_packed, never both; n is the number of ids either way. The order in which the
-- ids are stored means nothing: the record lists them in step-1 order (bytewise by decimal
-- text), which the daemon restores. sui_draw_ids () unpacks a list in SQL, e.g.
--   select unnest (coalesce (candidates, sui_draw_ids (candidates_packed))) from draw_stratum
-- A packed list is written by the daemon only; its n is re-checked by draws.verify (step 6
-- of the algorithm counts the candidates), not here.

alter table draw_stratum
  alter column candidates drop not null,
  add column candidates_packed bytea,
  add constraint draw_stratum_candidates_one
    check ((candidates is null) <> (candidates_packed is null));

-- Small lists stay in the row; a large one goes out of line uncompressed, as 0007 keeps
-- the arrays (its bytes are already dense).
alter table draw_stratum alter column candidates_packed set storage external;

create function sui_draw_ids (packed bytea) returns bigint[]
language plpgsql immutable strict parallel safe as $$
declare
  ids bigint[] := '{}';
  previous bigint := 0;
  value bigint := 0;
  shift integer := 0;
  b integer;
begin
  for i in 0 .. length (packed) - 1 loop
    b := get_byte (packed, i);
    value := value | ((b & 127)::bigint << shift);
    if b < 128 then
      previous := previous + value;
      ids := ids || previous;
      value := 0;
      shift := 0;
    else
      shift := shift + 7;
    end if;
  end loop;
  if shift <> 0 then
    raise exception 'packed id list ends inside a number' using errcode = 'data_corrupted';
  end if;
  return ids;
end
$$;

-- The guard of 0003 compared the lists with <>, which says nothing when one side is null:
-- both columns are now compared with IS DISTINCT FROM. A stratum is still written once,
-- while its draw is committed, and only k and drawn change after (by the run).
create or replace function sui_draw_stratum_guard () returns trigger
language plpgsql as $$
declare
  v_state text;
begin
  if TG_OP = 'INSERT' then
    select state into v_state from draw where id = new.draw_id;
    if v_state <> 'committed' then
      raise exception 'draw % is no longer open', new.draw_id
        using errcode = 'restrict_violation';
    end if;
    return new;
  end if;
  if TG_OP = 'DELETE' then
    raise exception 'draw strata are never deleted' using errcode = 'restrict_violation';
  end if;
  select state into v_state from draw where id = old.draw_id;
  if v_state <> 'committed' or new.draw_id <> old.draw_id or new.name <> old.name
     or new.ratio_bp is distinct from old.ratio_bp or new.n <> old.n
     or new.candidates is distinct from old.candidates
     or new.candidates_packed is distinct from old.candidates_packed
     or (old.k is not null and new.k is distinct from old.k)
     or old.drawn is not null then
    raise exception 'the strata of draw % cannot change', old.draw_id
      using errcode = 'restrict_violation';
  end if;
  return new;
end
$$;

-- A match inserts ten thousand strata at once: the check that their draw exists and is still
-- open is made once per statement instead of once per row (the same rules, the same errors;
-- the foreign key on draw_id goes, see below).
create function sui_draw_stratum_open () returns trigger
language plpgsql as $$
declare
  v_bad record;
begin
  select a.draw_id, d.id is null as missing into v_bad
    from (select distinct draw_id from added) a
         left join draw d on d.id = a.draw_id
   where d.state is distinct from 'committed'
   limit 1;
  if found and v_bad.missing then
    raise exception 'insert on table "draw_stratum" violates a reference: draw_id % is not in draw',
      v_bad.draw_id using errcode = 'foreign_key_violation';
  elsif found then
    raise exception 'draw % is no longer open', v_bad.draw_id
      using errcode = 'restrict_violation';
  end if;
  return null;
end
$$;

drop trigger draw_stratum_guard on draw_stratum;
create trigger draw_stratum_guard before update or delete on draw_stratum
  for each row execute function sui_draw_stratum_guard ();
create trigger draw_stratum_open after insert on draw_stratum
  referencing new table as added
  for each statement execute function sui_draw_stratum_open ();

-- ---- a match's rows: their references checked once per statement ------------------------
--
-- A match writes 20 000 assignments, some 5 000 exclusions and 10 000 strata in three
-- statements. PostgreSQL checks each foreign key of each row on its own, with a row lock on
-- the referenced row: five checks an assignment, about 0.6 s of a 2 s match. As 0013 did
-- for the object register, the same rules are kept, in the same transaction and with the
-- same error code (23503): on the writing side by one set-based query per statement on the
-- rows it wrote (the assignment guard already joined every referenced row), on the other
-- side by refusing to delete or renumber a row that is referred to. These rows are never
-- updated (inspector_assignment_frozen, inspector_exclusion_frozen, draw_stratum_guard).

alter table inspector_assignment
  drop constraint inspector_assignment_task_id_fkey,
  drop constraint inspector_assignment_draw_id_fkey,
  drop constraint inspector_assignment_object_id_fkey,
  drop constraint inspector_assignment_inspector_id_fkey,
  drop constraint inspector_assignment_part_unit_id_fkey;
alter table inspector_exclusion
  drop constraint inspector_exclusion_task_id_fkey,
  drop constraint inspector_exclusion_draw_id_fkey,
  drop constraint inspector_exclusion_object_id_fkey,
  drop constraint inspector_exclusion_inspector_id_fkey;
alter table draw_stratum drop constraint draw_stratum_draw_id_fkey;

-- The rules of 0010, unchanged, after the references: a dangling one is named as a foreign
-- key would name it.
create or replace function sui_assignment_check () returns trigger
language plpgsql as $$
declare
  v_bad record;
begin
  select x.object_id, x.inspector_id, x.rule, x.reference
    into v_bad
    from (select a.object_id, a.inspector_id,
                 case
                   when t.id is null then format ('task_id %s is not in task', a.task_id)
                   when d.id is null then format ('draw_id %s is not in draw', a.draw_id)
                   when o.id is null then format ('object_id %s is not in object', a.object_id)
                   when i.id is null
                     then format ('inspector_id %s is not in inspector', a.inspector_id)
                   when a.part_unit_id is not null and pu.id is null
                     then format ('part_unit_id %s is not in unit', a.part_unit_id)
                 end as reference,
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
                 left join draw d on d.id = a.draw_id
                 left join task t on t.id = a.task_id
                 left join inspector i on i.id = a.inspector_id
                 left join inspector_status s on s.code = i.status
                 left join object o on o.id = a.object_id
                 left join unit pu on pu.id = a.part_unit_id
                 left join task_department td on td.task_id = a.task_id
                                             and td.unit_id = a.part_unit_id
                 left join inspector_recusal r on r.inspector_id = a.inspector_id
                                              and r.object_id = a.object_id
                                              and r.removed_at is null) x
   where x.reference is not null or x.rule is not null
   order by x.reference is null
   limit 1;
  if found and v_bad.reference is not null then
    raise exception 'insert on table "inspector_assignment" violates a reference: %',
      v_bad.reference using errcode = 'foreign_key_violation';
  elsif found then
    raise exception 'assignment of inspector % to object % breaks rule %',
      v_bad.inspector_id, v_bad.object_id, v_bad.rule
      using errcode = 'check_violation';
  end if;
  return null;
end
$$;

create function sui_exclusion_references_check () returns trigger
language plpgsql as $$
declare
  v_reference text;
begin
  select case
           when t.id is null then format ('task_id %s is not in task', a.task_id)
           when d.id is null then format ('draw_id %s is not in draw', a.draw_id)
           when i.id is null then format ('inspector_id %s is not in inspector', a.inspector_id)
           else format ('object_id %s is not in object', a.object_id)
         end
    into v_reference
    from added a
         left join task t on t.id = a.task_id
         left join draw d on d.id = a.draw_id
         left join inspector i on i.id = a.inspector_id
         left join object o on o.id = a.object_id
   where t.id is null or d.id is null or i.id is null
      or (a.object_id is not null and o.id is null)
   limit 1;
  if found then
    raise exception 'insert on table "inspector_exclusion" violates a reference: %', v_reference
      using errcode = 'foreign_key_violation';
  end if;
  return null;
end
$$;

create trigger inspector_exclusion_references after insert on inspector_exclusion
  referencing new table as added
  for each statement execute function sui_exclusion_references_check ();

-- The referenced side: a task, draw, object, inspector or unit that a match's rows name is
-- neither deleted nor given another id (objects, inspectors and draws are never deleted
-- anyway). Arguments: pairs of a referring table and its column. Only a delete or an
-- update that names id fires it, so the register's own updates pay nothing.
create function sui_match_referenced_guard () returns trigger
language plpgsql as $$
declare
  used boolean;
begin
  if TG_OP = 'UPDATE' and new.id = old.id then
    return new;
  end if;
  for i in 0 .. TG_NARGS / 2 - 1 loop
    execute format ('select exists (select from %I where %I = $1)',
                    TG_ARGV[2 * i], TG_ARGV[2 * i + 1])
      into used using old.id;
    if used then
      raise exception 'update or delete on table "%" violates a reference from table "%": % % is still used',
        TG_TABLE_NAME, TG_ARGV[2 * i], TG_ARGV[2 * i + 1], old.id
        using errcode = 'foreign_key_violation';
    end if;
  end loop;
  if TG_OP = 'DELETE' then
    return old;
  end if;
  return new;
end
$$;

create trigger task_match_referenced before delete or update of id on task
  for each row execute function sui_match_referenced_guard (
    'inspector_assignment', 'task_id', 'inspector_exclusion', 'task_id');
create trigger draw_match_referenced before delete or update of id on draw
  for each row execute function sui_match_referenced_guard (
    'inspector_assignment', 'draw_id', 'inspector_exclusion', 'draw_id',
    'draw_stratum', 'draw_id');
create trigger object_match_referenced before delete or update of id on object
  for each row execute function sui_match_referenced_guard (
    'inspector_assignment', 'object_id', 'inspector_exclusion', 'object_id');
create trigger inspector_match_referenced before delete or update of id on inspector
  for each row execute function sui_match_referenced_guard (
    'inspector_assignment', 'inspector_id', 'inspector_exclusion', 'inspector_id');
create trigger unit_match_referenced before delete or update of id on unit
  for each row execute function sui_match_referenced_guard (
    'inspector_assignment', 'part_unit_id');
