-- Fuzzy account search (trigram indexes). pg_trgm is a trusted extension: the database owner may
-- create it; PGlite loads it from @electric-sql/pglite/contrib.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
