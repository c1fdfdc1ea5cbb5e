-- test_items.sql: the constraints and triggers of migration 0005 (check methods, the
-- catalogue, the units' claims, their history)
--
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select * from no_plan ();

select has_table ('check_method');
select has_table ('catalogue_item');
select has_table ('catalogue_item_history');
select has_table ('item');
select has_table ('item_history');

insert into unit (id, code, name, kind) values (1001, 'sjz', '石家庄市烟草专卖局', 'bureau');
insert into unit (id, parent_id, code, name, kind)
  values (1002, 1001, 'changan', '长安区烟草专卖局', 'direct'),
         (1003, 1001, 'qiaoxi', '桥西区烟草专卖局', 'direct');
insert into app_user (id, login, name, role, unit_id, password_hash)
  values (2001, 'sup_changan', '王建华', 'supervisor', 1002, '$argon2id$v=19$x');

-- ---- check methods and the seed -----------------------------------------------------------

select is ((select array_agg (code order by sort) from check_method),
           array['on_site', 'written', 'data_sharing', 'online', 'video', 'expert'],
           'six check methods in display order');
select is ((select array_agg (code order by sort) from check_method where not off_site),
           array['on_site'], 'only 现场检查 is on site');
select is ((select array_agg (code order by id) from catalogue_item),
           array['YC-01', 'YC-02', 'YC-03', 'DZY-01', 'DZY-02'],
           'the tobacco items are seeded');
select is ((select array_agg (level order by id) from catalogue_item),
           array['key', 'general', 'general', 'general', 'key'],
           'unlicensed sales and non-standard e-cigarettes are key items');
select ok ((select bool_and (legal_basis like '%《%》%' and state = 'active' and version = 1)
              from catalogue_item), 'every seeded item has a legal basis');
select ok ((select bool_and (ratio_max_bp >= 6100) from catalogue_item),
           'a general item''s cap still admits risk class D''s floor');
select is ((select count (*) from catalogue_item_history where action = 'create')::integer, 5,
           'the seed has its history');

-- ---- the catalogue --------------------------------------------------------------------------

insert into catalogue_item (id, code, name, legal_basis, content, object_types, level, methods,
                            ratio_min_bp, ratio_max_bp)
  values (5001, 'T-01', '测试事项', '《烟草专卖法》', '检查内容', '{retail,ecig}', 'general',
          '{on_site,written,video}', 1000, 4000);

select throws_ok ($$insert into catalogue_item (code, name, legal_basis, content, object_types,
                      level, methods, ratio_min_bp, ratio_max_bp)
                    values ('T-01', '重复', 'x', 'x', '{retail}', 'key', '{on_site}', 0, 1)$$,
                  '23505', null, 'a catalogue code is unique');
select throws_ok ($$insert into catalogue_item (code, name, legal_basis, content, object_types,
                      level, methods, ratio_min_bp, ratio_max_bp)
                    values ('T 02', '坏编码', 'x', 'x', '{retail}', 'key', '{on_site}', 0, 1)$$,
                  '23514', null, 'a code is letters, digits and hyphens');
select throws_ok ($$insert into catalogue_item (code, name, legal_basis, content, object_types,
                      level, methods, ratio_min_bp, ratio_max_bp)
                    values ('T-03', '比例', 'x', 'x', '{retail}', 'key', '{on_site}', 5000, 4000)$$,
                  '23514', null, 'the ratio range is ordered');
select throws_ok ($$insert into catalogue_item (code, name, legal_basis, content, object_types,
                      level, methods, ratio_min_bp, ratio_max_bp)
                    values ('T-04', '比例', 'x', 'x', '{retail}', 'key', '{on_site}', 0, 10001)$$,
                  '23514', null, 'a ratio is at most 10000 bp');
select throws_ok ($$insert into catalogue_item (code, name, legal_basis, content, object_types,
                      level, methods, ratio_min_bp, ratio_max_bp)
                    values ('T-05', '类型', 'x', 'x', '{shop}', 'key', '{on_site}', 0, 1)$$,
                  '23514', null, 'object types are object_type codes');
select throws_ok ($$insert into catalogue_item (code, name, legal_basis, content, object_types,
                      level, methods, ratio_min_bp, ratio_max_bp)
                    values ('T-06', '方式', 'x', 'x', '{retail}', 'key', '{phone}', 0, 1)$$,
                  '23514', null, 'methods are check_method codes');
select throws_ok ($$insert into catalogue_item (code, name, legal_basis, content, object_types,
                      level, methods, ratio_min_bp, ratio_max_bp)
                    values ('T-07', '重复', 'x', 'x', '{retail}', 'key', '{on_site,on_site}', 0, 1)$$,
                  '23514', null, 'a method is listed once');
select throws_ok ($$insert into catalogue_item (code, name, legal_basis, content, object_types,
                      level, methods, ratio_min_bp, ratio_max_bp)
                    values ('T-08', '空', 'x', 'x', '{}', 'key', '{on_site}', 0, 1)$$,
                  '23514', null, 'at least one object type');
select throws_ok ($$insert into catalogue_item (code, name, legal_basis, content, object_types,
                      level, methods, ratio_min_bp, ratio_max_bp)
                    values ('T-09', '级别', 'x', 'x', '{retail}', 'medium', '{on_site}', 0, 1)$$,
                  '23514', null, 'the level is general or key');
select throws_ok ($$update catalogue_item set state = 'retired' where id = 5001$$,
                  '23514', null, 'a retirement has a reason and a time');
select throws_ok ($$delete from catalogue_item where id = 5001$$,
                  '23001', null, 'catalogue items are retired, never deleted');

-- ---- claims ---------------------------------------------------------------------------------

-- Who writes, as the daemon says it (0002's transaction-local setting).
set local sui.actor_id = '2001';

insert into item (id, unit_id, catalogue_id, catalogue_version, code, name, legal_basis, level,
                  object_types, content, methods, ratio_min_bp, ratio_max_bp, created_by)
  values (6001, 1002, 5001, 1, 'T-01', '测试事项', '《烟草专卖法》', 'general', '{retail,ecig}',
          '核对许可证', '{on_site,written}', 1500, 3000, 2001);

select is ((select (action, changed_by, before) from item_history where item_id = 6001),
           ('claim'::text, 2001::bigint, null::jsonb), 'a claim writes its history row');
select throws_ok ($$insert into item (unit_id, catalogue_id, catalogue_version, code, name,
                      legal_basis, level, object_types, content, methods, ratio_min_bp,
                      ratio_max_bp)
                    values (1002, 5001, 1, 'T-01', '再认领', 'x', 'general', '{retail}', 'x',
                            '{on_site}', 1000, 4000)$$,
                  '23505', null, 'one claim per unit and catalogue item');
select lives_ok ($$insert into item (unit_id, catalogue_id, catalogue_version, code, name,
                     legal_basis, level, object_types, content, methods, ratio_min_bp,
                     ratio_max_bp)
                   values (1003, 5001, 1, 'T-01', '测试事项', 'x', 'general', '{retail}', 'x',
                           '{video}', 1000, 4000)$$,
                 'another unit claims the same catalogue item');
select throws_ok ($$update item set methods = '{on_site,online}' where id = 6001$$,
                  '23514', null, 'methods stay within the catalogue''s');
select throws_ok ($$update item set methods = '{}' where id = 6001$$,
                  '23514', null, 'at least one method');
select throws_ok ($$update item set ratio_min_bp = 500 where id = 6001$$,
                  '23514', null, 'the ratio floor stays at or above the catalogue''s');
select throws_ok ($$update item set ratio_max_bp = 4500 where id = 6001$$,
                  '23514', null, 'the ratio cap stays at or below the catalogue''s');
select throws_ok ($$update item set ratio_min_bp = 3500 where id = 6001$$,
                  '23514', null, 'the refined range is ordered');
select throws_ok ($$update item set catalogue_version = 2 where id = 6001$$,
                  '23514', null, 'a claim is not ahead of its catalogue item');
select throws_ok ($$update item set unit_id = 1003 where id = 6001$$,
                  '23514', null, 'a claim keeps its unit');
select throws_ok ($$update item set content = ' ' where id = 6001$$,
                  '23514', null, 'the content is not blank');

select lives_ok ($$update item set ratio_max_bp = 2500, version = version + 1 where id = 6001$$,
                 'a refinement inside the bounds is written');
select is ((select (action, before, after) from item_history where item_id = 6001
             order by id desc limit 1),
           ('update'::text, '{"ratio_max_bp": 3000}'::jsonb, '{"ratio_max_bp": 2500}'::jsonb),
           'the history keeps only the columns that changed');
select throws_ok ($$update item_history set note = 'x' where item_id = 6001$$,
                  '23001', null, 'history rows are never changed');
select throws_ok ($$delete from item where id = 6001$$,
                  '23001', null, 'claims are released, never deleted');

-- A narrower catalogue: the claim written before stays as it is until acknowledged.
update catalogue_item set ratio_max_bp = 2000, version = 2 where id = 5001;
select is ((select count (*) from catalogue_item_history where catalogue_id = 5001)::integer, 2,
           'a catalogue change writes its history row');
select throws_ok ($$update item set content = '改内容', ratio_max_bp = 2400 where id = 6001$$,
                  '23514', null, 'a changed refinement must fit the catalogue as it is now');
select lives_ok ($$update item set content = '改内容' where id = 6001$$,
                 'a claim behind the catalogue can still change what the bounds do not touch');

select throws_ok ($$update item set state = 'released' where id = 6001$$,
                  '23514', null, 'a release has a reason and a time');
select lives_ok ($$update item set state = 'released', release_reason = '职能调整',
                     released_at = now () where id = 6001$$, 'a claim is released');

update catalogue_item set state = 'retired', retire_reason = '废止', retired_at = now (),
                          version = 3 where id = 5001;
select throws_ok ($$update catalogue_item set state = 'active', retire_reason = null,
                      retired_at = null where id = 5001$$,
                  '23514', null, 'a retired catalogue item stays retired');
select throws_ok ($$update item set state = 'active', release_reason = null, released_at = null
                    where id = 6001$$,
                  '23514', null, 'a retired catalogue item cannot be claimed again');
select throws_ok ($$insert into item (unit_id, catalogue_id, catalogue_version, code, name,
                      legal_basis, level, object_types, content, methods, ratio_min_bp,
                      ratio_max_bp)
                    values (1001, 5001, 1, 'T-01', '测试', 'x', 'general', '{retail}', 'x',
                            '{on_site}', 1000, 2000)$$,
                  '23514', null, 'nor claimed by anyone new');

select * from finish ();
rollback;
