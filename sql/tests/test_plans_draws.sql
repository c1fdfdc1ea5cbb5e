-- test_plans_draws.sql: the constraints and triggers of migration 0003 (plans, revisions,
-- change requests, tasks, draws and their strata)
--
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select * from no_plan ();

select has_table ('plan');
select has_table ('plan_change');
select has_table ('plan_revision');
select has_table ('task');
select has_table ('draw');
select has_table ('draw_stratum');
select has_table ('risk_class_ratio');
select has_view ('draw_public');
select has_index ('draw', 'draw_live');

select results_eq ($$select risk_class::text, min_bp, max_bp from risk_class_ratio order by 1$$,
                   $$values ('A', 0, 500), ('B', 500, 2000), ('C', 2100, 6000), ('D', 6100, 10000)$$,
                   'the risk-class table of DOMAIN.md is seeded');

insert into unit (id, code, name, kind) values (1001, 'sjz', '石家庄市烟草专卖局', 'bureau');
insert into unit (id, parent_id, code, name, kind)
  values (1002, 1001, 'changan', '长安区烟草专卖局', 'direct');
insert into app_user (id, login, name, role, unit_id, password_hash)
  values (2001, 'sup_changan', '王建华', 'supervisor', 1002, '$argon2id$v=19$x'),
         (2002, 'admin1', '管理员', 'admin', 1001, '$argon2id$v=19$x');

-- ---- plans ------------------------------------------------------------------------------

insert into plan (id, unit_id, year, title) values (3001, 1002, 2030, '2030 年度计划');
select throws_ok ($$insert into plan (unit_id, year, title) values (1002, 2030, '第二份')$$,
                  '23505', null, 'one plan per unit and year');
select throws_ok ($$update plan set state = 'published' where id = 3001$$,
                  '23514', null, 'published needs a published revision');
select throws_ok ($$update plan set state = 'finished' where id = 3001$$,
                  '23514', null, 'only the four plan states');

update plan set state = 'published', revision = 1 where id = 3001;
insert into plan_revision (plan_id, revision, content) values (3001, 1, '{"tasks": []}');
select throws_ok ($$update plan_revision set content = '{}' where plan_id = 3001$$,
                  '23001', null, 'a published revision is never changed');
select throws_ok ($$delete from plan_revision where plan_id = 3001$$,
                  '23001', null, 'nor removed');

insert into plan_change (id, plan_id, what, why, from_revision)
  values (3101, 3001, '加任务', '专项', 1);
select throws_ok ($$insert into plan_change (plan_id, what, why, from_revision)
                    values (3001, '再加', '再加', 1)$$,
                  '23505', null, 'one open change per plan');
select throws_ok ($$insert into plan_change (plan_id, what, why, from_revision, state)
                    values (3001, 'x', 'y', 1, 'approved')$$,
                  '23514', null, 'a decided change has its decision time');
select throws_ok ($$insert into plan_change (plan_id, what, why, from_revision)
                    values (3001, ' ', 'y', 1)$$,
                  '23514', null, 'a change says what');

-- ---- tasks ------------------------------------------------------------------------------

insert into task (id, plan_id, unit_id, name, ratio_a_bp, ratio_b_bp, ratio_c_bp, ratio_d_bp,
                  window_start, window_end)
  values (4001, 3001, 1002, '零售户检查', 500, 2000, 3000, 10000, '2030-03-01', '2030-05-31');
select throws_ok ($$update task set inspectors_per_object = 1 where id = 4001$$,
                  '23514', null, 'at least two inspectors per object');
select throws_ok ($$update task set ratio_b_bp = 10001 where id = 4001$$,
                  '23514', null, 'a ratio is at most 10000 bp');
select throws_ok ($$update task set window_end = '2030-01-01' where id = 4001$$,
                  '23514', null, 'the window ends after it starts');
select throws_ok ($$update task set state = 'ready' where id = 4001$$,
                  '23514', null, 'an unpublished task cannot be made ready');
update task set published_revision = 1, state = 'ready' where id = 4001;
select is ((select state from task where id = 4001), 'ready', 'a published task with a window can');

-- ---- draws ------------------------------------------------------------------------------

select throws_ok ($$insert into draw (task_id, kind, secret, commitment, candidate_hash,
                                      candidate_count)
                    values (4001, 'objects', decode (repeat ('01', 32), 'hex'),
                            decode (repeat ('00', 32), 'hex'), decode (repeat ('00', 32), 'hex'), 3)$$,
                  '23514', null, 'the commitment is SHA-256 of the secret');
insert into draw (id, task_id, kind, secret, commitment, candidate_hash, candidate_count)
  values (5001, 4001, 'objects', decode (repeat ('01', 32), 'hex'),
          sha256 (decode (repeat ('01', 32), 'hex')), decode (repeat ('00', 32), 'hex'), 3);
insert into draw_stratum (draw_id, name, ratio_bp, n, candidates)
  values (5001, 'A', 5000, 2, '{1,2}'), (5001, 'B', 5000, 1, '{3}');
select throws_ok ($$insert into draw_stratum (draw_id, name, ratio_bp, n, candidates)
                    values (5001, 'C', 5000, 2, '{4}')$$,
                  '23514', null, 'n is the number of candidates');
select throws_ok ($$insert into draw (task_id, kind, secret, commitment, candidate_hash,
                                      candidate_count)
                    values (4001, 'objects', decode (repeat ('02', 32), 'hex'),
                            sha256 (decode (repeat ('02', 32), 'hex')),
                            decode (repeat ('00', 32), 'hex'), 3)$$,
                  '23505', null, 'a task has at most one live object draw');
select is ((select secret from draw_public where id = 5001), null,
           'the secret is hidden before the run');
select throws_ok ($$update draw set secret = decode (repeat ('02', 32), 'hex'),
                      commitment = sha256 (decode (repeat ('02', 32), 'hex')) where id = 5001$$,
                  '23001', null, 'the inputs of a draw never change');
select throws_ok ($$update draw set state = 'run' where id = 5001$$,
                  '23514', null, 'a run draw has its results');
select throws_ok ($$update draw_stratum set candidates = '{1,9}' where draw_id = 5001 and name = 'A'$$,
                  '23001', null, 'the candidates are frozen');

-- the run: strata first, then the draw
update draw_stratum set k = 1, drawn = '{2}' where draw_id = 5001 and name = 'A';
update draw_stratum set k = 1, drawn = '{3}' where draw_id = 5001 and name = 'B';
update draw set state = 'run', entropy = '["3917"]', seed = decode (repeat ('03', 32), 'hex'),
                result_hash = decode (repeat ('04', 32), 'hex'), drawn_count = 2, run_by = 2001,
                run_at = now () where id = 5001;
select is ((select encode (secret, 'hex') from draw_public where id = 5001), repeat ('01', 32),
           'the secret is revealed after the run');
select throws_ok ($$update draw_stratum set drawn = '{1}' where draw_id = 5001 and name = 'A'$$,
                  '23001', null, 'the result never changes');
select throws_ok ($$update draw set result_hash = decode (repeat ('05', 32), 'hex') where id = 5001$$,
                  '23001', null, 'nor its hash');
select throws_ok ($$update draw set state = 'committed', run_at = null where id = 5001$$,
                  '23001', null, 'a run draw does not go back');
select throws_ok ($$delete from draw where id = 5001$$, '23001', null, 'draws are never deleted');
select throws_ok ($$update draw set state = 'voided', voided_at = now (),
                      void_approved_by = 2002 where id = 5001$$,
                  '23514', null, 'a void needs its reason');

update draw set void_reason = '见证人缺席', void_requested_by = 2001, void_requested_at = now ()
 where id = 5001;
update draw set state = 'voided', voided_at = now (), void_approved_by = 2002 where id = 5001;
select throws_ok ($$update draw set state = 'run' where id = 5001$$,
                  '23001', null, 'a voided draw cannot be un-voided');
select throws_ok ($$update draw set void_reason = '改理由' where id = 5001$$,
                  '23001', null, 'a voided draw cannot change at all');

-- after the void a new draw may be committed for the task, with a new secret
insert into draw (id, task_id, kind, replaces, secret, commitment, candidate_hash, candidate_count)
  values (5002, 4001, 'objects', 5001, decode (repeat ('06', 32), 'hex'),
          sha256 (decode (repeat ('06', 32), 'hex')), decode (repeat ('00', 32), 'hex'), 3);
select is ((select count (*) from draw where task_id = 4001), 2::bigint,
           'the voided draw stays beside the new one');

select * from finish ();
rollback;
