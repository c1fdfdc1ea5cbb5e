-- test_registers.sql: the constraints and triggers of migration 0002 (object and inspector
-- registers, recusals, tags, credit grades, history)
--
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select * from no_plan ();

select has_table ('object');
select has_table ('object_history');
select has_table ('object_risk_history');
select has_table ('inspector');
select has_table ('inspector_history');
select has_table ('inspector_recusal');
select has_table ('tag_group');
select has_table ('tag');
select has_table ('object_tag');
select has_table ('inspector_tag');
select has_table ('credit_grade_class');
select has_index ('object', 'object_tags');
select has_index ('object', 'object_unit_cover');
select has_index ('object', 'object_district_cover');

insert into unit (id, code, name, kind) values (1001, 'sjz', '石家庄市烟草专卖局', 'bureau');
insert into unit (id, parent_id, code, name, kind)
  values (1002, 1001, 'changan', '长安区烟草专卖局', 'direct');
insert into app_user (id, login, name, role, unit_id, password_hash)
  values (2001, 'sup_changan', '王建华', 'supervisor', 1002, '$argon2id$v=19$x');

-- ---- the credit code check character ----------------------------------------------------

select ok (sui_credit_code_valid ('91110000600037341L'), 'a public credit code is valid');
select ok (sui_credit_code_valid ('914403001922038216'), 'a check character 6 is valid');
select ok (not sui_credit_code_valid ('91110000600037341M'), 'a wrong check character is not');
select ok (not sui_credit_code_valid ('9111000060003734IL'), 'I is not in the alphabet');
select ok (not sui_credit_code_valid ('91110000600037341'), '17 characters are too few');
select ok (not sui_credit_code_valid ('91110000600037341l'), 'lower case is not stored');
select ok (sui_credit_code_valid (null) is null, 'no code is neither valid nor invalid (the CHECK lets it be)');
-- 0017 wrote the check character's arithmetic out; the formula of 0002 (a subquery over the
-- weights) must agree with it on codes valid and not: every one of 31 check characters for
-- 2 000 bodies, and 2 000 malformed strings.
select is ((select count (*)::integer
              from (select body || substr ('0123456789ABCDEFGHJKLMNPQRTUWXY', k, 1) as code
                      from (select upper (translate (substr (md5 (n::text), 1, 17), 'io', '12'))
                                     as body
                              from generate_series (1, 2000) n) b,
                           generate_series (1, 31) k
                    union all
                    select substr (md5 (n::text) || 'IOSVZ', n % 20, 18)
                      from generate_series (1, 2000) n) c
             where sui_credit_code_valid (c.code) is distinct from
                   (c.code ~ '^[0-9A-HJ-NP-RTUW-Y]{18}$'
                    and substr (c.code, 18, 1) = substr (
                          '0123456789ABCDEFGHJKLMNPQRTUWXY',
                          (31 - (select sum ((strpos ('0123456789ABCDEFGHJKLMNPQRTUWXY',
                                                       substr (c.code, t.i::integer, 1)) - 1) * t.w)
                                 from unnest (array[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13,
                                                    8, 24, 10, 30, 28])
                                      with ordinality as t (w, i))::integer
                                % 31) % 31 + 1, 1))),
           0, 'the written-out check character agrees with the formula of GB 32100-2015');
select is ((select count (*)::integer
              from (select upper (translate (substr (md5 (n::text), 1, 17), 'io', '12')) as body
                      from generate_series (1, 2000) n) b,
                   generate_series (1, 31) k
             where sui_credit_code_valid (body || substr ('0123456789ABCDEFGHJKLMNPQRTUWXY', k, 1))),
           2000, 'exactly one check character of 31 makes a body valid');

-- ---- objects ------------------------------------------------------------------------------

insert into object (id, type, licence_no, credit_code, name, unit_id, district)
  values (3001, 'retail', '130102100001', '91110000600037341L', '平安便利店', 1002, '长安区');

select is ((select (status, risk_class, key_supervision, retired, version)
              from object where id = 3001),
           ('open'::text, 'B'::char(1), false, false, 1),
           'an object defaults to open, risk class B, version 1');
select throws_ok ($$insert into object (type, licence_no, name, unit_id)
                    values ('retail', '130102100001', '重复', 1002)$$,
                  '23505', null, 'a licence number is registered once');
select throws_ok ($$insert into object (type, licence_no, credit_code, name, unit_id)
                    values ('retail', '130102100002', '91110000600037341M', '坏代码', 1002)$$,
                  '23514', null, 'a credit code with a wrong check character is refused');
select throws_ok ($$insert into object (type, licence_no, name, unit_id)
                    values ('shop', '130102100003', '类型不对', 1002)$$,
                  '23503', null, 'the type is one of object_type');
select throws_ok ($$insert into object (type, licence_no, name, unit_id, status)
                    values ('retail', '130102100004', '状态不对', 1002, 'dormant')$$,
                  '23503', null, 'the status is one of object_status');
select throws_ok ($$insert into object (type, licence_no, name, unit_id, risk_class)
                    values ('retail', '130102100005', '风险不对', 1002, 'E')$$,
                  '23514', null, 'the risk class is A to D');
select throws_ok ($$insert into object (type, licence_no, name, unit_id, key_supervision)
                    values ('retail', '130102100006', '重点无因', 1002, true)$$,
                  '23514', null, 'key supervision needs a reason');
select throws_ok ($$insert into object (type, licence_no, name, unit_id, licence_valid_from,
                                        licence_valid_until)
                    values ('retail', '130102100007', '日期颠倒', 1002, '2026-01-01',
                            '2025-01-01')$$,
                  '23514', null, 'a licence does not end before it starts');
select throws_ok ($$insert into object (type, licence_no, name, unit_id)
                    values ('retail', '1301 02', '许可证号格式', 1002)$$,
                  '23514', null, 'a licence number has no blanks');
select throws_ok ($$insert into object (type, licence_no, name, unit_id)
                    values ('retail', '130102100008', ' 空格 ', 1002)$$,
                  '23514', null, 'a name has no surrounding blanks');
select throws_ok ($$insert into object (type, licence_no, name, unit_id)
                    values ('retail', '130102100009', '无单位', 99999)$$,
                  '23503', null, 'an object belongs to an existing unit');
select throws_ok ($$update object set retired = true where id = 3001$$,
                  '23514', null, 'a retired object has a retirement time and reason');
select throws_ok ($$update object set version = 0 where id = 3001$$,
                  '23514', null, 'versions are positive');
select throws_ok ($$delete from object where id = 3001$$,
                  '23001', null, 'objects are never deleted');

-- History: who, by which method, the columns that changed.
select ok (set_config ('sui.actor_id', '2001', true) = '2001'
           and set_config ('sui.method', 'test.edit', true) = 'test.edit',
           'the daemon says who writes through two settings');
update object set name = '平安超市', credit_grade = 'D' where id = 3001;
select is ((select (actor_id, method, before, after) from object_history
              where object_id = 3001 order by id desc limit 1),
           (2001::bigint, 'test.edit'::text, '{"name": "平安便利店", "credit_grade": null}'::jsonb,
            '{"name": "平安超市", "credit_grade": "D"}'::jsonb),
           'an update keeps who, how and what changed');
select is ((select count (*)::integer from object_history where object_id = 3001), 2,
           'creation and each change leave one history row');
select is ((select array_agg (source order by id) from object_risk_history where object_id = 3001),
           array['create', 'manual'], 'a change of credit grade is kept in the risk history');
update object set address = address where id = 3001;
select is ((select count (*)::integer from object_history where object_id = 3001), 2,
           'an update that changes nothing leaves no history');

-- ---- tags ---------------------------------------------------------------------------------

insert into tag_group (id, name, applies_to) values (4001, '业态', 'objects');
insert into tag_group (id, name, applies_to, unit_id) values (4002, '专长', 'inspectors', 1002);
insert into tag (id, group_id, name) values (5001, 4001, '超市'), (5002, 4001, '便利店'),
                                            (5003, 4002, '电子烟');

select throws_ok ($$insert into tag_group (name, applies_to) values ('业态', 'both')$$,
                  '23505', null, 'a city-wide group name is unique');
select lives_ok ($$insert into tag_group (name, applies_to, unit_id) values ('业态', 'both', 1002)$$,
                 'a unit may have a group of the same name as a city-wide one');
select throws_ok ($$insert into tag_group (name, applies_to) values ('范围', 'everything')$$,
                  '23514', null, 'a group applies to objects, inspectors or both');
select throws_ok ($$insert into tag (group_id, name) values (4001, '超市')$$,
                  '23505', null, 'a tag name is unique in its group');

insert into object_tag (object_id, tag_id) values (3001, 5002), (3001, 5001);
select is ((select tag_ids from object where id = 3001), array[5001, 5002]::bigint[],
           'tag_ids follows object_tag, sorted');
delete from object_tag where object_id = 3001 and tag_id = 5001;
select is ((select tag_ids from object where id = 3001), array[5002]::bigint[],
           'removing a tag updates tag_ids');
select throws_ok ($$insert into object_tag (object_id, tag_id) values (3001, 5003)$$,
                  '23514', null, 'a tag for inspectors does not go on an object');
select throws_ok ($$insert into object_tag (object_id, tag_id) values (3001, 5002)$$,
                  '23505', null, 'a tag is on an object once');

-- ---- inspectors and recusals ------------------------------------------------------------------

insert into inspector (id, name, unit_id, cert_no, cert_valid_from, cert_valid_until)
  values (6001, '李执法', 1002, 'JZ-0001', '2024-01-01', '2027-12-31');

select throws_ok ($$insert into inspector (name, unit_id, cert_no, cert_valid_from,
                                           cert_valid_until)
                    values ('张三', 1002, 'JZ-0001', '2024-01-01', '2027-12-31')$$,
                  '23505', null, 'a certificate number is registered once');
select throws_ok ($$insert into inspector (name, unit_id, cert_no, cert_valid_from)
                    values ('张三', 1002, 'JZ-0002', '2024-01-01')$$,
                  '23502', null, 'an inspector has a certificate validity');
select throws_ok ($$insert into inspector (name, unit_id, cert_no, cert_valid_from,
                                           cert_valid_until)
                    values ('张三', 1002, 'JZ-0003', '2024-01-01', '2023-12-31')$$,
                  '23514', null, 'a certificate does not end before it starts');
select throws_ok ($$insert into inspector (name, unit_id, cert_no, cert_valid_from,
                                           cert_valid_until, status)
                    values ('张三', 1002, 'JZ-0004', '2024-01-01', '2027-12-31', 'away')$$,
                  '23503', null, 'the status is one of inspector_status');
select throws_ok ($$delete from inspector where id = 6001$$,
                  '23001', null, 'inspectors are never deleted');

insert into inspector_tag (inspector_id, tag_id) values (6001, 5003);
select is ((select tag_ids from inspector where id = 6001), array[5003]::bigint[],
           'an inspector''s tag_ids follows inspector_tag');
select throws_ok ($$insert into inspector_tag (inspector_id, tag_id) values (6001, 5001)$$,
                  '23514', null, 'a tag for objects does not go on an inspector');

insert into inspector_recusal (inspector_id, object_id, reason) values (6001, 3001, '亲属');
select throws_ok ($$insert into inspector_recusal (inspector_id, object_id, reason)
                    values (6001, 3001, '又一次')$$,
                  '23505', null, 'one active recusal per inspector and object');
select throws_ok ($$insert into inspector_recusal (inspector_id, object_id, reason)
                    values (6001, 3001, ' ')$$,
                  '23514', null, 'a recusal has a reason');
update inspector_recusal set removed_at = now () where inspector_id = 6001;
select lives_ok ($$insert into inspector_recusal (inspector_id, object_id, reason)
                   values (6001, 3001, '再次申报')$$,
                 'after removal a recusal can be declared again, the old one kept');

-- ---- credit grades ------------------------------------------------------------------------

select is ((select array_agg (risk_class order by sort) from credit_grade_class),
           array['A', 'A', 'B', 'B', 'C', 'D']::char(1)[],
           'the default mapping of AAA … D onto risk classes');
select throws_ok ($$update credit_grade_class set risk_class = 'E' where grade = 'AAA'$$,
                  '23514', null, 'a grade maps onto A to D');
select throws_ok ($$update object set credit_grade = 'AAAA' where id = 3001$$,
                  '23503', null, 'an object''s grade is one of the mapping''s');

-- ---- references checked per statement (0013) ----------------------------------------------

insert into object (id, type, licence_no, credit_code, name, legal_rep, address, unit_id,
                    district, licence_valid_from, licence_valid_until, key_supervision,
                    key_supervision_reason, credit_grade, credit_grade_date, contact)
  values (3090, 'retail', '130102109090', '91110000600037341L', '全字段商行', '李四', '中山路1号',
          1002, '长安区', '2024-01-01', '2029-01-01', true, '投诉较多', 'AA', '2025-06-01',
          '0311-1234567');
select is ((select h.after from object_history h where h.object_id = 3090 and h.before is null),
           (select jsonb_strip_nulls (to_jsonb (o) - 'version' - 'updated_at' - 'created_at'
                                      - 'search_text')
              from object o where o.id = 3090),
           'an added object''s history holds every column but the bookkeeping ones');
select throws_ok ($$insert into object (type, licence_no, name, unit_id)
                    select 'retail', '1301021100' || n, '批量' || n,
                           case when n = 3 then 99999 else 1002 end
                      from generate_series (1, 5) n$$,
                  '23503', null, 'one dangling unit among many rows refuses the statement');
select is ((select count (*) from object where name like '批量%'), 0::bigint,
           'and none of its rows is written');
select throws_ok ($$update object set status = 'dormant' where id = 3001$$,
                  '23503', null, 'an update is checked too');
select throws_ok ($$delete from object_type where code = 'retail'$$,
                  '23503', null, 'a type that objects use is not deleted');
select throws_ok ($$update object_status set code = 'opened' where code = 'open'$$,
                  '23503', null, 'nor a status renamed');
select throws_ok ($$delete from credit_grade_class where grade in
                      (select credit_grade from object where credit_grade is not null limit 1)$$,
                  '23503', null, 'nor a grade in use deleted');
select throws_ok ($$update unit set id = 1099 where id = 1002$$,
                  '23503', null, 'nor a unit that holds objects renumbered');
select lives_ok ($$update object_status set name = '营业中' where code = 'open'$$,
                 'a referenced row may change what is not its key');
select lives_ok ($$delete from object_type where code = 'other'$$,
                 'a type no object uses may go');
select throws_ok ($$insert into object_history (object_id, method, after)
                    values (999999, 'test', '{}')$$,
                  '23503', null, 'a history row names an existing object');
select throws_ok ($$insert into object_risk_history (object_id, risk_class, source)
                    values (999999, 'A', 'manual')$$,
                  '23503', null, 'so does a risk history row');
select throws_ok ($$update object_history set object_id = 999999
                     where id = (select min (id) from object_history)$$,
                  '23503', null, 'a history row is not moved to a missing object');
select is ((select count (*)::integer from object_history h
             where not exists (select from object o where o.id = h.object_id)), 0,
           'the history the register''s triggers wrote names existing objects only');
select throws_ok ($$insert into object_history (object_id, actor_id, method, after)
                    values (3001, 999999, 'test', '{}')$$,
                  '23503', null, 'a history row written by hand names an existing user');
select throws_ok ($$insert into object_risk_history (object_id, actor_id, risk_class, source)
                    values (3001, 999999, 'A', 'manual')$$,
                  '23503', null, 'so does a risk history row');
select lives_ok ($$insert into object_risk_history (object_id, actor_id, risk_class, source)
                   values (3001, 2001, 'A', 'manual')$$,
                 'a history row by hand with an existing object and user is kept');
select is (set_config ('sui.actor_id', '999999', true), '999999', 'an actor that is no user');
select throws_ok ($$update object set contact = '0311-0000000' where id = 3001$$,
                  '23503', null, 'a change by a missing user is refused with its history');
select throws_ok ($$insert into object (type, licence_no, name, unit_id)
                    values ('retail', '130102999901', '无名', 1002)$$,
                  '23503', null, 'so is an object added by one');
select is (set_config ('sui.actor_id', '2001', true), '2001', 'the actor back');
select throws_like ($$delete from app_user where id = 2001$$,
                    '%from the object history: user 2001 is named there',
                    'a user the object history names is not deleted');
select throws_like ($$update app_user set id = 2999 where id = 2001$$,
                    '%from the object history: user 2001 is named there',
                    'nor renumbered');
select throws_ok ($$truncate object cascade$$, '23001', null, 'objects are never truncated');

select * from finish ();
rollback;
