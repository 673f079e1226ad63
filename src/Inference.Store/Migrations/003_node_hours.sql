-- Inference store, schema version 3: per-node flow presence, so coverage can tell the hours a node sent no flows.

-- Flows read per ingest source, node and clock hour (UTC); a missing hour inside the window is a silent node.
CREATE TABLE node_hours (
    source  VARCHAR NOT NULL,
    node    VARCHAR NOT NULL,
    hour    TIMESTAMPTZ NOT NULL,
    flows   BIGINT NOT NULL,
    PRIMARY KEY (source, node, hour)
);
