-- Schema version 4: review decisions. One row per decision, never updated: the latest row for a
-- (namespace, policy, rule) wins, so the history of who decided what, when and why is kept.
-- rule_key is '' for a decision on the whole policy.
CREATE SEQUENCE review_decision_seq START 1;

CREATE TABLE review_decisions (
    decision_id  BIGINT PRIMARY KEY DEFAULT nextval('review_decision_seq'),
    namespace    VARCHAR NOT NULL,
    policy       VARCHAR NOT NULL,
    rule_key     VARCHAR NOT NULL,
    rule_text    VARCHAR,
    decision     VARCHAR NOT NULL CHECK (decision IN ('approved', 'rejected', 'cleared')),
    note         VARCHAR NOT NULL,
    actor        VARCHAR NOT NULL,
    decided_at   TIMESTAMPTZ NOT NULL
);
