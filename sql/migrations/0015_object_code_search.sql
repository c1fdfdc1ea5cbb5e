-- 0015_object_code_search: codes found by their beginning, words anywhere
--
-- The text search of the object register looked for the text anywhere in one string of
-- licence number, name, credit code, legal representative and address, through a trigram
-- index. The two codes, 30 ASCII characters, gave half of that index's entries, and the
-- index was the dearest part of an import (measured: 3.3-4 s of 100 000 objects; 1.8-2 s
-- without the codes). People look a code up by typing it from its beginning, so the codes
-- are now found by prefix through btree indexes (text_pattern_ops: the database collation
-- is not C, so the default operator class cannot serve LIKE 'x%'), and the trigram index
-- keeps the name, legal representative and address, found anywhere. See sui-filter.c.

drop index object_search;
alter table object drop column search_text;
alter table object add column search_text text generated always as (
  name || ' ' || coalesce (legal_rep, '') || ' ' || coalesce (address, '')) stored;
create index object_search on object using gin (search_text gin_trgm_ops);

create index object_licence_prefix on object (licence_no text_pattern_ops);
drop index object_credit_code;
create index object_credit_code on object (credit_code text_pattern_ops);
