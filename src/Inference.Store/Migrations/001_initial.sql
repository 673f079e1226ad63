-- Inference store, schema version 1. Times are UTC (TIMESTAMPTZ, microseconds).
-- Every table is documented in README.md ("The store"); query it with the duckdb CLI.

-- Both ends of every edge: a workload (namespace + owner) or an entity (world, host, ...).
CREATE TABLE peers (
    peer_id        INTEGER PRIMARY KEY,
    peer_key       VARCHAR NOT NULL UNIQUE,
    namespace      VARCHAR,
    workload       VARCHAR,
    workload_kind  VARCHAR,
    entity         VARCHAR,
    ip             VARCHAR,
    names          VARCHAR[] NOT NULL,
    name           VARCHAR
);

-- A workload's stable labels (shared by all its pods seen, volatile ones removed) and its namespace's labels.
CREATE TABLE workloads (
    peer_id           INTEGER PRIMARY KEY,
    labels            JSON NOT NULL,
    namespace_labels  JSON NOT NULL,
    sample_pods       VARCHAR[] NOT NULL,
    first_seen        TIMESTAMPTZ NOT NULL,
    last_seen         TIMESTAMPTZ NOT NULL
);

-- Pods seen in flows, with every label they carried and their address (the snapshot `evaluate` falls back to).
CREATE TABLE pods (
    namespace         VARCHAR NOT NULL,
    pod               VARCHAR NOT NULL,
    peer_id           INTEGER NOT NULL,
    labels            JSON NOT NULL,
    namespace_labels  JSON NOT NULL,
    ip                VARCHAR,
    first_seen        TIMESTAMPTZ NOT NULL,
    last_seen         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (namespace, pod)
);

-- One row per edge: source, destination, protocol, destination port (ICMP: type), exact first/last seen, sample pods.
CREATE TABLE edges (
    edge_id                  INTEGER PRIMARY KEY,
    edge_key                 VARCHAR NOT NULL UNIQUE,
    source_id                INTEGER NOT NULL,
    destination_id           INTEGER NOT NULL,
    protocol                 VARCHAR NOT NULL,
    port                     INTEGER,
    icmp_type                INTEGER,
    first_seen               TIMESTAMPTZ NOT NULL,
    last_seen                TIMESTAMPTZ NOT NULL,
    sample_source_pods       VARCHAR[] NOT NULL,
    sample_destination_pods  VARCHAR[] NOT NULL
);

-- What an edge did per time bucket and ingest source: connections per verdict and distinct pods
-- (exact up to 64, estimated beyond; the sketches are the 64 smallest 64-bit hashes, little-endian).
CREATE TABLE edge_buckets (
    edge_id                 INTEGER NOT NULL,
    bucket                  TIMESTAMPTZ NOT NULL,
    source                  VARCHAR NOT NULL,
    connections             BIGINT NOT NULL,
    forwarded               BIGINT NOT NULL,
    audit                   BIGINT NOT NULL,
    dropped                 BIGINT NOT NULL,
    redirected              BIGINT NOT NULL,
    other                   BIGINT NOT NULL,
    distinct_source_pods    BIGINT NOT NULL,
    distinct_destination_pods BIGINT NOT NULL,
    source_pods_sketch      BLOB NOT NULL,
    destination_pods_sketch BLOB NOT NULL,
    first_seen              TIMESTAMPTZ NOT NULL,
    last_seen               TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (edge_id, bucket, source)
);

CREATE TABLE edge_drop_reasons (
    edge_id  INTEGER NOT NULL,
    bucket   TIMESTAMPTZ NOT NULL,
    source   VARCHAR NOT NULL,
    reason   VARCHAR NOT NULL,
    count    BIGINT NOT NULL,
    PRIMARY KEY (edge_id, bucket, source, reason)
);

-- L7 observations on an edge: DNS query to answers (comma-separated), TTL, rcode; HTTP method, path, status.
CREATE TABLE dns_observations (
    edge_id     INTEGER NOT NULL,
    query       VARCHAR NOT NULL,
    answers     VARCHAR NOT NULL,
    rcode       INTEGER NOT NULL,
    ttl         UBIGINT NOT NULL,
    count       BIGINT NOT NULL,
    first_seen  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (edge_id, query, answers, rcode)
);

CREATE TABLE http_observations (
    edge_id     INTEGER NOT NULL,
    method      VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,
    status      INTEGER NOT NULL,
    count       BIGINT NOT NULL,
    first_seen  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (edge_id, method, path, status)
);

-- One row per ingest source (a relay address, a file, a Kafka topic): progress and where to resume.
CREATE TABLE sources (
    source       VARCHAR PRIMARY KEY,
    kind         VARCHAR NOT NULL,
    address      VARCHAR,
    flows_read   BIGINT NOT NULL,
    duplicates   BIGINT NOT NULL,
    ignored      BIGINT NOT NULL,
    connections  BIGINT NOT NULL,
    first_flow   TIMESTAMPTZ,
    last_flow    TIMESTAMPTZ,
    resume_from  TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- Data a producer lost (Hubble lost_events), relay node status changes, and gaps in what was read.
CREATE TABLE lost_events (
    source       VARCHAR NOT NULL,
    node         VARCHAR NOT NULL,
    lost_source  VARCHAR NOT NULL,
    count        BIGINT NOT NULL,
    first_lost   TIMESTAMPTZ,
    last_lost    TIMESTAMPTZ,
    observed_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE node_status (
    source       VARCHAR NOT NULL,
    node         VARCHAR NOT NULL,
    state        VARCHAR NOT NULL,
    message      VARCHAR,
    observed_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE data_gaps (
    source       VARCHAR NOT NULL,
    node         VARCHAR,
    gap_from     TIMESTAMPTZ NOT NULL,
    gap_to       TIMESTAMPTZ NOT NULL,
    reason       VARCHAR NOT NULL,
    observed_at  TIMESTAMPTZ NOT NULL
);

-- Connections stored near a stream's end: a resumed stream does not count their events again.
CREATE TABLE recent_connections (
    source            VARCHAR NOT NULL,
    protocol          VARCHAR NOT NULL,
    source_ip         VARCHAR NOT NULL,
    source_port       INTEGER NOT NULL,
    destination_ip    VARCHAR NOT NULL,
    destination_port  INTEGER NOT NULL,
    last_seen         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, protocol, source_ip, source_port, destination_ip, destination_port)
);

-- Raw flow lines, only when asked for (--keep-raw), capped.
CREATE TABLE raw_flows (
    source  VARCHAR NOT NULL,
    time    TIMESTAMPTZ NOT NULL,
    json    VARCHAR NOT NULL
);
