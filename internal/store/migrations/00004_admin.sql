-- Provider operations: the audit log of management changes, plan versions, and the status of
-- resources. Same conventions as 00001: BIGINT Unix microseconds, TEXT JSON documents.

-- +goose Up

-- One row per management change: who (the account and token, or the CLI), when, what, and the
-- entity before and after (JSON in the catalog file's form; '' when it did not exist / no longer
-- exists). scope_path is the account path that owns the entity: a caller reads the entries of
-- its own subtree.
CREATE TABLE audit_log (
    id             BIGINT PRIMARY KEY,
    created_at     BIGINT NOT NULL,
    actor_id       BIGINT REFERENCES accounts (id),
    actor_token_id BIGINT,
    actor          TEXT NOT NULL,
    scope_path     TEXT NOT NULL,
    action         TEXT NOT NULL,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    before_json    TEXT NOT NULL DEFAULT '',
    after_json     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_scope ON audit_log (scope_path, id);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_log_created ON audit_log (created_at, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

-- Every version of a plan's content (prices, periods, rates, terms): plans.version names the
-- current one. Orders keep their own priced lines, so a new version never changes an order
-- already placed; this history says what a subscription was sold under.
CREATE TABLE plan_versions (
    plan_id    BIGINT NOT NULL REFERENCES plans (id),
    version    INTEGER NOT NULL,
    content    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (plan_id, version)
);

-- A deactivated resource can no longer be added to plans; plans that rate it keep selling it.
ALTER TABLE resources ADD COLUMN status TEXT NOT NULL DEFAULT 'ACTIVE';

-- +goose Down
ALTER TABLE resources DROP COLUMN status;
DROP TABLE plan_versions;
DROP TABLE audit_log;
