-- Schema version 9: where the connections still open at an unfinished import's last stored batch began (see version
-- 8). A migration of its own: DuckDB cannot commit two ALTERs of a table that holds rows in one transaction.
ALTER TABLE imported_files ADD COLUMN resume_from TIMESTAMPTZ;
