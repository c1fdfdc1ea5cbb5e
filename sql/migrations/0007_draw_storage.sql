-- 0007_draw_storage.sql: keep the frozen candidate lists of draws uncompressed
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- A match freezes one candidate list per drawn object: for 10 000 objects and 500
-- inspectors that is some 3.7 million ids in 10 000 arrays of a few kilobytes each.
-- Compressing them (pglz, the default for arrays) cost about four times the write itself
-- and gains little on lists of distinct ids; reading them back for draws.verify and
-- draws.export paid the decompression again.  Out-of-line storage without compression
-- applies to the rows written from now on; earlier rows stay as they are and read the same.

alter table draw_stratum
  alter column candidates set storage external,
  alter column drawn set storage external;
