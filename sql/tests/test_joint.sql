-- test_joint.sql: the constraints and triggers of migration 0008 (joint tasks: partner
-- departments, assignments per part) and the storage settings of 0007
--
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select * from no_plan ();

select has_table ('task_department');
select has_column ('inspector_assignment', 'part_unit_id');
select has_column ('matching', 'stratum_order');
select has_column ('inspector_assignment_live', 'part_unit_id');
select has_index ('inspector_assignment', 'inspector_assignment_part_rank');
select is ((select attstorage::text from pg_attribute
             where attrelid = 'draw_stratum'::regclass and attname = 'candidates'),
           'e', 'frozen candidate lists are stored uncompressed');

insert into unit (id, code, name, kind) values (1001, 'sjz', '石家庄市烟草专卖局', 'bureau');
insert into unit (id, parent_id, code, name, kind)
  values (1002, 1001, 'changan', '长安区烟草专卖局', 'direct'),
         (1003, 1001, 'qiaoxi', '桥西区烟草专卖局', 'direct'),
         (1004, 1001, 'scjg', '市场监督管理局', 'department'),
         (1005, 1001, 'wsj', '卫生健康委员会', 'department');
insert into app_user (id, login, name, role, unit_id, password_hash)
  values (2001, 'sup_changan', '王建华', 'supervisor', 1002, '$argon2id$v=19$x');
insert into plan (id, unit_id, year, title, state, revision)
  values (3001, 1002, 2030, '2030 年度计划', 'published', 1);
insert into task (id, plan_id, unit_id, name, ratio_a_bp, ratio_b_bp, ratio_c_bp, ratio_d_bp,
                  window_start, window_end, published_revision)
  values (4001, 3001, 1002, '联合检查', 500, 1000, 3000, 6100, '2030-03-01', '2030-05-31', 1);

-- ---- parts ------------------------------------------------------------------------------

select lives_ok ($$insert into task_department (task_id, unit_id) values (4001, 1004)$$,
                 'a department takes part');
select throws_ok ($$insert into task_department (task_id, unit_id) values (4001, 1004)$$,
                  '23505', null, 'once');
select throws_ok ($$insert into task_department (task_id, unit_id) values (4001, 1003)$$,
                  '23514', null, 'a direct unit is no partner');
select throws_ok ($$insert into task_department (task_id, unit_id, inspectors_per_object)
                    values (4001, 1005, 1)$$,
                  '23514', null, 'two inspectors per object at least');
select throws_ok ($$insert into task_department (task_id, unit_id, items)
                    values (4001, 1005, '{}')$$,
                  '23514', null, 'items are a list');
select throws_ok ($$update task_department set confirmed_at = now ()
                     where task_id = 4001 and unit_id = 1004$$,
                  '23514', null, 'a confirmation names who confirmed');

-- ---- assignments per part ----------------------------------------------------------------

insert into object (id, type, licence_no, name, unit_id, district, risk_class)
  values (5001, 'retail', '130102000001', '长安便利店', 1002, '长安区', 'A'),
         (5002, 'retail', '130102000002', '长安烟酒店', 1002, '长安区', 'B');
insert into inspector (id, name, unit_id, cert_no, cert_valid_from, cert_valid_until, status)
  values (6001, '李明', 1002, 'T0001', '2020-01-01', '2099-12-31', 'on_duty'),
         (6002, '赵刚', 1004, 'S0001', '2020-01-01', '2099-12-31', 'on_duty'),
         (6003, '孙丽', 1005, 'W0001', '2020-01-01', '2099-12-31', 'on_duty');
insert into draw (id, task_id, kind, secret, commitment, candidate_hash, candidate_count)
  values (7001, 4001, 'inspectors', decode (repeat ('00', 32), 'hex'),
          sha256 (decode (repeat ('00', 32), 'hex')), decode (repeat ('00', 32), 'hex'), 3);

select lives_ok ($$insert into inspector_assignment (task_id, draw_id, object_id, inspector_id,
                    rank, position, part_unit_id) values (4001, 7001, 5001, 6001, 1, 1, 1002),
                    (4001, 7001, 5001, 6002, 1, 1, 1004)$$,
                 'rank 1 in the lead''s team and rank 1 in a department''s team');
select throws_ok ($$insert into inspector_assignment (task_id, draw_id, object_id, inspector_id,
                    rank, position, part_unit_id) values (4001, 7001, 5001, 6003, 1, 1, 1005)$$,
                  '23514', null, 'a department that takes no part in the task cannot be assigned');
select throws_ok ($$insert into inspector_assignment (task_id, draw_id, object_id, inspector_id,
                    rank, position, part_unit_id) values (4001, 7001, 5002, 6001, 1, 2, 1004)$$,
                  '23514', null, 'an inspector serves only in the team of their own unit');
select throws_ok ($$insert into inspector_assignment (task_id, draw_id, object_id, inspector_id,
                    rank, position) values (4001, 7001, 5002, 6002, 1, 2)$$,
                  '23514', null, 'without a part, the task''s unit''s team');
update task_department set inspector_tag_ids = '{9}' where task_id = 4001 and unit_id = 1004;
insert into task_department (task_id, unit_id) values (4001, 1005);
select throws_ok ($$insert into inspector_assignment (task_id, draw_id, object_id, inspector_id,
                    rank, position, part_unit_id) values (4001, 7001, 5001, 6002, 2, 1, 1004)$$,
                  '23505', null, 'one inspector once per object');
update inspector set tag_ids = '{}' where id = 6003;
update task_department set inspector_tag_ids = '{9}' where task_id = 4001 and unit_id = 1005;
select throws_ok ($$insert into inspector_assignment (task_id, draw_id, object_id, inspector_id,
                    rank, position, part_unit_id) values (4001, 7001, 5001, 6003, 1, 1, 1005)$$,
                  '23514', null, 'a part''s tags bind its inspectors');
update task_department set inspector_tag_ids = '{}' where task_id = 4001 and unit_id = 1005;
select lives_ok ($$insert into inspector_assignment (task_id, draw_id, object_id, inspector_id,
                   rank, position, part_unit_id) values (4001, 7001, 5001, 6003, 1, 1, 1005)$$,
                 'and without them the department''s inspector joins its team');

select * from finish ();
rollback;
