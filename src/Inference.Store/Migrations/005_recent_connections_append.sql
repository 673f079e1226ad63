-- Schema version 5: recent_connections loses its primary key. A busy stream closes tens of thousands of connections
-- per flush, and upserting each into an indexed table cost more CPU than decoding the flows; rows are now only
-- appended (and pruned by age), and a resume takes the latest last_seen per 5-tuple.
CREATE TABLE recent_connections_v5 AS
    SELECT source, protocol, source_ip, source_port, destination_ip, destination_port, last_seen FROM recent_connections;
DROP TABLE recent_connections;
ALTER TABLE recent_connections_v5 RENAME TO recent_connections;
