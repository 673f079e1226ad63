-- Schema version 7: what each file import read, so importing the same content again (a re-run, an interrupted import,
-- a file that grew since) skips the lines already stored instead of counting their connections twice. One row per
-- import: the content it read is the file's first `bytes` bytes (whole lines, `lines` of them), whose XxHash128 is
-- `prefix_hash`; `head_hash` hashes only the first min(bytes, 1 MiB) of them, to find candidates cheaply.
CREATE TABLE imported_files (
    source       VARCHAR NOT NULL,
    bytes        BIGINT NOT NULL,
    lines        BIGINT NOT NULL,
    head_hash    VARCHAR NOT NULL,
    prefix_hash  VARCHAR NOT NULL,
    imported_at  TIMESTAMPTZ NOT NULL
);
