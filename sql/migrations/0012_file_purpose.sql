-- 0012_file_purpose.sql: what a stored file is for, so that exports can expire
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- A file is either an upload (an import's CSV, evidence: kept, since records refer to it) or
-- an export made by *.export or tasks.export_assignments (a copy of data that lives in the
-- database anyway). Exports are deleted a day after they were made by the daemon's hourly
-- purge; the partial index keeps that purge from reading the uploads.

alter table file
  add column purpose text not null default 'upload'
    check (purpose in ('upload', 'export'));

create index file_export_created on file (created_at) where purpose = 'export';
