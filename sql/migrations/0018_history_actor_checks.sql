-- 0018_history_actor_checks: the object history's actor checked once per statement
--
-- Every row of object_history and object_risk_history names its actor (app_user) through a
-- foreign key, which PostgreSQL checks row by row with a lock on the user's row each time:
-- an import of 100 000 objects writes 200 000 history rows and spent about 1 s on checking
-- the same user 200 000 times. The register's triggers write every history row of a
-- statement with one actor, the transaction's setting sui.actor_id, so that actor is now
-- checked once per statement; a history row written any other way is checked row by row in
-- one query (0013's check, which now looks at the actor as well). Both refuse a missing user
-- with 23503, as the foreign key did, and a user named by history is neither deleted nor
-- renumbered. sql/tests/test_registers.sql throws at each rule.

alter table object_history drop constraint object_history_actor_id_fkey;
alter table object_risk_history drop constraint object_risk_history_actor_id_fkey;

-- A history row written outside the register's triggers: its object and its actor exist.
create or replace function sui_object_history_reference_check () returns trigger
language plpgsql as $$
declare
  bad record;
begin
  select w.object_id, w.actor_id, o.id is null as no_object
    into bad
    from written w
         left join object o on o.id = w.object_id
         left join app_user u on u.id = w.actor_id
   where o.id is null or (w.actor_id is not null and u.id is null)
   limit 1;
  if found then
    raise exception 'insert or update on table "%" violates a reference: %', TG_TABLE_NAME,
      case when bad.no_object then format ('object_id %s is not in object', bad.object_id)
           else format ('actor_id %s is not in app_user', bad.actor_id) end
      using errcode = 'foreign_key_violation';
  end if;
  return null;
end
$$;

-- The history the register's triggers write: its one actor exists.
create function sui_object_history_actor_check () returns trigger
language plpgsql as $$
declare
  actor bigint := sui_setting_actor ();
begin
  if actor is not null and not exists (select from app_user where id = actor) then
    raise exception 'insert or update on table "%" violates a reference: actor_id % is not in app_user',
      TG_TABLE_NAME, actor
      using errcode = 'foreign_key_violation';
  end if;
  return null;
end
$$;

create trigger object_history_actor after insert or update on object_history
  for each statement when (pg_trigger_depth () > 0)
  execute function sui_object_history_actor_check ();
create trigger object_risk_history_actor after insert or update on object_risk_history
  for each statement when (pg_trigger_depth () > 0)
  execute function sui_object_history_actor_check ();

-- The referenced side. Users are disabled, not deleted, so this rarely runs; it reads the
-- history tables without an index on the actor, which would cost every import more than
-- it would ever save here.
create function sui_history_actor_guard () returns trigger
language plpgsql as $$
begin
  if TG_OP = 'UPDATE' and new.id = old.id then
    return new;
  end if;
  if exists (select from object_history where actor_id = old.id)
     or exists (select from object_risk_history where actor_id = old.id) then
    raise exception 'update or delete on table "app_user" violates a reference from the object history: user % is named there',
      old.id
      using errcode = 'foreign_key_violation';
  end if;
  if TG_OP = 'DELETE' then
    return old;
  end if;
  return new;
end
$$;

create trigger app_user_history_referenced before update of id or delete on app_user
  for each row execute function sui_history_actor_guard ();
