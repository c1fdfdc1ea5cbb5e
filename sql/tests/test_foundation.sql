-- test_foundation.sql: the constraints of migration 0001 (units, users, sessions,
-- login history, audit log, files)
--
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select * from no_plan ();

-- ---- the tables are there ---------------------------------------------------------

select has_table ('unit');
select has_table ('app_user');
select has_table ('user_session');
select has_table ('login_attempt');
select has_table ('login_lock');
select has_table ('audit_log');
select has_table ('audit_head');
select has_table ('file');
select has_table ('file_chunk');
select has_function ('sui_audit_append');
select has_function ('sui_audit_hash');
select col_is_pk ('audit_log', 'seq');
select col_is_pk ('file_chunk', array['file_id', 'n']);

-- ---- units ---------------------------------------------------------------------------

insert into unit (id, code, name, kind) values (1001, 'sjz', '石家庄市烟草专卖局', 'bureau');
insert into unit (id, parent_id, code, name, kind)
  values (1002, 1001, 'changan', '长安区烟草专卖局', 'direct'),
         (1003, 1002, 'changan-1', '长安区一所', 'direct'),
         (1004, 1001, 'scjg', '石家庄市市场监督管理局', 'department');

select throws_ok ($$insert into unit (parent_id, code, name, kind)
                    values (1001, 'changan', '重复代码', 'direct')$$,
                  '23505', null, 'a unit code is unique');
select throws_ok ($$insert into unit (parent_id, code, name, kind)
                    values (1001, 'x1', '某单位', 'county')$$,
                  '23514', null, 'kind is bureau, direct or department');
select throws_ok ($$insert into unit (parent_id, code, name, kind)
                    values (1001, 'Bad Code', '某单位', 'direct')$$,
                  '23514', null, 'a unit code is lower-case letters, digits, _ . -');
select throws_ok ($$insert into unit (parent_id, code, name, kind)
                    values (1001, 'x2', '', 'direct')$$,
                  '23514', null, 'a unit name is not empty');
select throws_ok ($$insert into unit (parent_id, code, name, kind)
                    values (1001, 'x3', ' 有空格 ', 'direct')$$,
                  '23514', null, 'a unit name has no surrounding blanks');
select throws_ok ($$insert into unit (parent_id, code, name, kind)
                    values (1001, 'x4', repeat ('长', 65), 'direct')$$,
                  '23514', null, 'a unit name has at most 64 characters');
select throws_ok ($$insert into unit (code, name, kind) values ('x5', '无上级', 'direct')$$,
                  '23514', null, 'only the bureau has no parent');
select throws_ok ($$insert into unit (parent_id, code, name, kind)
                    values (1001, 'x6', '第二个市局', 'bureau')$$,
                  '23514', null, 'a bureau has no parent');
select throws_ok ($$insert into unit (code, name, kind) values ('x7', '另一个市局', 'bureau')$$,
                  '23505', null, 'there is one bureau only');
select throws_ok ($$insert into unit (parent_id, code, name, kind)
                    values (99999, 'x8', '上级不存在', 'direct')$$,
                  '23503', null, 'the parent exists');
select throws_ok ($$update unit set parent_id = 1003 where id = 1002$$,
                  '23514', null, 'a unit cannot move under its own descendant');
select throws_ok ($$update unit set parent_id = 1002 where id = 1002$$,
                  '23514', null, 'a unit cannot be its own parent');
select throws_ok ($$insert into unit (parent_id, code, name, kind)
                    values (1001, 'x9', null, 'direct')$$,
                  '23502', null, 'a unit has a name');
select lives_ok ($$update unit set parent_id = 1004 where id = 1003$$,
                 'a unit can move elsewhere in the tree');
select is ((select version from unit where id = 1002), 1, 'a new unit is at version 1');
select throws_ok ($$update unit set version = 0 where id = 1002$$,
                  '23514', null, 'versions are positive');

-- ---- users ---------------------------------------------------------------------------

insert into app_user (id, login, name, role, unit_id, password_hash)
  values (2001, 'sup_changan', '王建华', 'supervisor', 1002, '$argon2id$v=19$m=65536,t=2,p=1$x$y');

select throws_ok ($$insert into app_user (login, name, role, unit_id, password_hash)
                    values ('sup_changan', '另一人', 'inspector', 1002, '$argon2id$v=19$x')$$,
                  '23505', null, 'a login is unique');
select throws_ok ($$insert into app_user (login, name, role, unit_id, password_hash)
                    values ('u_role', '某人', 'boss', 1002, '$argon2id$v=19$x')$$,
                  '23514', null, 'role is admin, supervisor or inspector');
select throws_ok ($$insert into app_user (login, name, role, unit_id, password_hash)
                    values ('u_unit', '某人', 'inspector', 99999, '$argon2id$v=19$x')$$,
                  '23503', null, 'a user belongs to an existing unit');
select throws_ok ($$insert into app_user (login, name, role, unit_id, password_hash)
                    values ('u_nounit', '某人', 'inspector', null, '$argon2id$v=19$x')$$,
                  '23502', null, 'a user belongs to a unit');
select throws_ok ($$insert into app_user (login, name, role, unit_id, password_hash)
                    values ('Upper', '某人', 'inspector', 1002, '$argon2id$v=19$x')$$,
                  '23514', null, 'a login is lower-case');
select throws_ok ($$insert into app_user (login, name, role, unit_id, password_hash)
                    values ('ab', '某人', 'inspector', 1002, '$argon2id$v=19$x')$$,
                  '23514', null, 'a login has at least 3 characters');
select throws_ok ($$insert into app_user (login, name, role, unit_id, password_hash)
                    values ('u_clear', '某人', 'inspector', 1002, 'Demo@2026')$$,
                  '23514', null, 'a clear-text password does not fit the password column');
select throws_ok ($$insert into app_user (login, name, role, unit_id, password_hash)
                    values ('u_noname', '', 'inspector', 1002, '$argon2id$v=19$x')$$,
                  '23514', null, 'a user has a name');
select throws_ok ($$delete from unit where id = 1002$$,
                  '23503', null, 'a unit with users cannot be deleted');

-- ---- sessions --------------------------------------------------------------------

insert into user_session (id, token_hash, user_id, expires_at)
  values (3001, sha256 ('token-1'), 2001, now () + interval '12 hours');

select throws_ok ($$insert into user_session (token_hash, user_id, expires_at)
                    values (sha256 ('token-1'), 2001, now () + interval '1 hour')$$,
                  '23505', null, 'a token hash is unique');
select throws_ok ($$insert into user_session (token_hash, user_id, expires_at)
                    values ('\x0102'::bytea, 2001, now () + interval '1 hour')$$,
                  '23514', null, 'a token hash is a SHA-256');
select throws_ok ($$insert into user_session (token_hash, user_id, expires_at)
                    values (sha256 ('token-2'), 2001, now () - interval '1 hour')$$,
                  '23514', null, 'a session expires after it starts');
select throws_ok ($$insert into user_session (token_hash, user_id, expires_at)
                    values (sha256 ('token-3'), 99999, now () + interval '1 hour')$$,
                  '23503', null, 'a session belongs to an existing user');
select col_not_null ('user_session', 'expires_at', 'a session always expires');

-- ---- login history -----------------------------------------------------------------

select throws_ok ($$insert into login_attempt (login, ok) values ('sup_changan', true)$$,
                  '23514', null, 'a successful attempt names its user');
select lives_ok ($$insert into login_attempt (login, ok) values ('nobody', false)$$,
                 'a failed attempt may name a login that does not exist');
select throws_ok ($$insert into login_lock (login, locked_at, locked_until, failures)
                    values ('nobody', now (), now () - interval '1 minute', 5)$$,
                  '23514', null, 'a lock ends after it starts');

-- ---- the audit log -------------------------------------------------------------------

select is (sui_audit_append (null, 'system', 'test.one', 'units', '1002', null,
                             '{"id": 1002}', null),
           1::bigint, 'the first audit row is seq 1');
select is (sui_audit_append (2001, 'sup_changan', 'test.two', 'users', '2001',
                             '{"name": "王建华"}', '{"name": "王建华2"}', '127.0.0.1'),
           2::bigint, 'the next is seq 2');

-- A rolled-back append leaves no gap.
savepoint before_third;
select is (sui_audit_append (null, 'system', 'test.three', 'units', '1', null, null, null),
           3::bigint, 'an append in a savepoint gets seq 3');
rollback to savepoint before_third;
select is (sui_audit_append (null, 'system', 'test.four', 'units', '1', null, null, null),
           3::bigint, 'after the rollback the next append gets seq 3 again');

select is ((select count (*) from audit_log), 3::bigint, 'three rows');
select is ((select array_agg (seq order by seq) from audit_log), array[1, 2, 3]::bigint[],
           'seq has no gaps');
select is ((select prev_hash from audit_log where seq = 1), decode (repeat ('00', 32), 'hex'),
           'the chain starts from zero bytes');
select ok ((select bool_and (a.prev_hash = b.hash)
            from audit_log a join audit_log b on b.seq = a.seq - 1),
           'each row chains to the hash of the row before');
select ok ((select bool_and (hash = sui_audit_hash (prev_hash, seq, at, actor_id, actor_login,
                                                   method, area, record_id, before, after,
                                                   peer))
            from audit_log),
           'each hash is the hash of its row');
select is ((select hash from audit_log where seq = 1),
           (select sha256 (decode (repeat ('00', 32), 'hex') || convert_to (
                     jsonb_build_array (seq,
                                        to_char (at at time zone 'UTC',
                                                 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                        actor_id, actor_login, method, area, record_id,
                                        before, after, peer)::text, 'UTF8'))
            from audit_log where seq = 1),
           'the hash follows the documented canonical text');
select isnt ((select hash from audit_log where seq = 2),
             sui_audit_hash ((select prev_hash from audit_log where seq = 2), 2,
                             (select at from audit_log where seq = 2), 2001, 'sup_changan',
                             'test.two', 'users', '2001', '{"name": "王建华"}',
                             '{"name": "王建华X"}', '127.0.0.1'),
             'a changed value changes the hash');
select is ((select (last_seq, last_hash) from audit_head),
           (select (seq, hash) from audit_log where seq = 3),
           'the head points at the newest row');

select throws_ok ($$insert into audit_log (seq, at, actor_login, method, area, prev_hash, hash)
                    values (2, now (), 'x', 'x.y', 'x', decode (repeat ('00', 32), 'hex'),
                            decode (repeat ('11', 32), 'hex'))$$,
                  '23505', null, 'an audit seq is unique');
select throws_ok ($$insert into audit_log (seq, at, actor_login, method, area, prev_hash, hash)
                    values (0, now (), 'x', 'x.y', 'x', decode (repeat ('00', 32), 'hex'),
                            decode (repeat ('22', 32), 'hex'))$$,
                  '23514', null, 'an audit seq is positive');
select throws_ok ($$insert into audit_log (seq, at, actor_login, method, area, prev_hash, hash)
                    values (9, now (), 'x', 'x.y', 'x', '\x00'::bytea,
                            decode (repeat ('33', 32), 'hex'))$$,
                  '23514', null, 'prev_hash is a SHA-256');
select throws_ok ($$insert into audit_log (seq, at, actor_login, method, area, prev_hash, hash)
                    values (9, now (), 'x', null, 'x', decode (repeat ('00', 32), 'hex'),
                            decode (repeat ('44', 32), 'hex'))$$,
                  '23502', null, 'an audit row names its method');
select throws_ok ($$select sui_audit_append (99999, 'ghost', 'x.y', 'x', '1', null, null, null)$$,
                  '23503', null, 'an audit actor is an existing user');
select throws_ok ($$update audit_log set area = 'other' where seq = 1$$,
                  '42501', null, 'audit rows cannot be updated');
select throws_ok ($$delete from audit_log where seq = 1$$,
                  '42501', null, 'audit rows cannot be deleted');
select throws_ok ($$truncate audit_log$$,
                  '42501', null, 'the audit log cannot be truncated');

-- ---- files -----------------------------------------------------------------------------

insert into file (id, name, content_type, size, sha256, uploaded_by)
  values (4001, 'a.xlsx', 'application/octet-stream', 3, sha256 ('abc'), 2001);
insert into file_chunk (file_id, n, data) values (4001, 0, 'abc');

select throws_ok ($$insert into file_chunk (file_id, n, data) values (4001, 0, 'again')$$,
                  '23505', null, 'a chunk number is unique within a file');
select throws_ok ($$insert into file_chunk (file_id, n, data) values (99999, 0, 'x')$$,
                  '23503', null, 'a chunk belongs to an existing file');
select throws_ok ($$insert into file_chunk (file_id, n, data) values (4001, -1, 'x')$$,
                  '23514', null, 'chunk numbers start at 0');
select throws_ok ($$insert into file (size, sha256, uploaded_by) values (-1, sha256 ('x'), 2001)$$,
                  '23514', null, 'a size is not negative');
select throws_ok ($$insert into file (size, sha256, uploaded_by) values (1, '\x01'::bytea, 2001)$$,
                  '23514', null, 'a file hash is a SHA-256');
select throws_ok ($$insert into file (size, sha256, uploaded_by) values (1, sha256 ('x'), 99999)$$,
                  '23503', null, 'a file is uploaded by an existing user');
select throws_ok ($$insert into file (size, sha256) values (1, sha256 ('x'))$$,
                  '23502', null, 'a file names who uploaded it');

select * from finish ();
rollback;
