-- 0019_object_name_order: the register sorted by name across its pages.
--
-- objects.list may be ordered by name (docs/protocol.md, "Orders"), in pinyin order through
-- ICU's zh collation, paged by keyset on (name, id). Without an index every page of the whole
-- register sorts every object the caller may see; with this one the first page and each next
-- one read 200 entries of the index. The expression is the daemon's key exactly
-- (server/sui-filter.c, object_orders), or the planner cannot use it.

create index object_name_order on object ((name collate "zh-x-icu"), id);
