-- Schema version 6: the connections a flush closed near the stream's end are stored as one row per flush, their
-- 5-tuples packed in a blob (RecentConnectionSets.cs has the layout). Every connection a stream closes is recent when it
-- is written, and a row per connection cost more CPU than the rest of the batch together. Rows of the old table are
-- still read on resume and pruned by age; nothing writes to it any more.
CREATE TABLE recent_connection_sets (
    source       VARCHAR NOT NULL,
    last_seen    TIMESTAMPTZ NOT NULL,   -- the latest connection in the set: the set is pruned once this is old enough
    connections  INTEGER NOT NULL,
    tuples       BLOB NOT NULL
);
