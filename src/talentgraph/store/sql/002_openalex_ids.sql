-- OpenAlex ids as external ids: the author id of a mention (A...), the work id of a paper (W...),
-- and the institutions OpenAlex attributes to the author (ROR ids, ' + '-joined like aff_norm).
-- Rows of sources without these ids (paperlists) leave them NULL.
ALTER TABLE mentions ADD COLUMN openalex_id VARCHAR;
ALTER TABLE mentions ADD COLUMN aff_ror VARCHAR;
ALTER TABLE papers ADD COLUMN openalex_id VARCHAR;
