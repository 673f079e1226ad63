-- Inference store, schema version 2: Kafka progress, dead letters and Calico's per-reporter and policy rows.

-- Everything before next_offset of a partition is stored: a redelivered message below it is skipped (idempotent ingest).
CREATE TABLE kafka_offsets (
    source       VARCHAR NOT NULL,
    topic        VARCHAR NOT NULL,
    partition    INTEGER NOT NULL,
    next_offset  BIGINT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, topic, partition)
);

-- Messages (or lines of a multi-record message) that could not be read: where they are and why.
CREATE TABLE dead_letters (
    source       VARCHAR NOT NULL,
    topic        VARCHAR NOT NULL,
    partition    INTEGER NOT NULL,
    "offset"     BIGINT NOT NULL,
    line         INTEGER NOT NULL,
    reason       VARCHAR NOT NULL,
    excerpt      VARCHAR NOT NULL,
    observed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, topic, partition, "offset", line)
);

-- Calico: connections per reporter (src, dst, fwd) and verdict (forwarded, audit, dropped) of one edge and bucket;
-- the edge buckets hold the merge (the larger reporter, never the sum). edge = source peer key, destination peer key,
-- protocol, port joined by U+001F.
CREATE TABLE calico_intervals (
    source  VARCHAR NOT NULL,
    edge    VARCHAR NOT NULL,
    bucket  TIMESTAMPTZ NOT NULL,
    counts  BIGINT[] NOT NULL,
    PRIMARY KEY (source, edge, bucket)
);

-- Calico: each direction's policy decision on an edge (egress from src records, ingress from dst records) with the
-- enforced and pending (staged) traces in the modern flow-log string form and the hit that decided each.
CREATE TABLE calico_edge_policies (
    source            VARCHAR NOT NULL,
    edge              VARCHAR NOT NULL,
    source_peer       VARCHAR NOT NULL,
    destination_peer  VARCHAR NOT NULL,
    protocol          VARCHAR NOT NULL,
    port              INTEGER,
    direction         VARCHAR NOT NULL,
    enforced_action   VARCHAR NOT NULL,
    enforced_trace    VARCHAR NOT NULL,
    enforced_by       VARCHAR,
    pending_action    VARCHAR NOT NULL,
    pending_trace     VARCHAR NOT NULL,
    pending_by        VARCHAR,
    verdict           VARCHAR NOT NULL,
    connections       BIGINT NOT NULL,
    records           BIGINT NOT NULL,
    first_seen        TIMESTAMPTZ NOT NULL,
    last_seen         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, edge, direction, enforced_trace, pending_trace)
);
