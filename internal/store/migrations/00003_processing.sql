-- Order processing: payments, the demo gateway's and the OSS simulator's own books, and the
-- outbound notification outbox.

-- +goose Up
INSERT INTO id_sequences (name, next_value) VALUES ('payments', 1), ('notifications', 1);

CREATE TABLE payments (
    id              BIGINT PRIMARY KEY,
    order_id        BIGINT NOT NULL REFERENCES orders (id),
    attempt         INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    method_id       BIGINT,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL,
    transaction_id  TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (order_id, attempt)
);

CREATE TABLE demo_gateway_charges (
    idempotency_key TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL,
    transaction_id  TEXT NOT NULL,
    message         TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE oss_sim_items (
    item_id             TEXT PRIMARY KEY,
    action              TEXT NOT NULL,
    subscription_id     TEXT NOT NULL,
    status              TEXT NOT NULL,
    oss_subscription_id TEXT NOT NULL,
    message             TEXT NOT NULL,
    created_at          BIGINT NOT NULL
);

CREATE TABLE notifications (
    id         BIGINT PRIMARY KEY,
    event_id   TEXT NOT NULL UNIQUE,
    order_id   BIGINT NOT NULL REFERENCES orders (id),
    payload    TEXT NOT NULL,
    delivered  BOOLEAN NOT NULL DEFAULT FALSE,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    BIGINT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX notifications_pending ON notifications (delivered, next_at);

ALTER TABLE orders ADD COLUMN payment_attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE provisioning_items ADD COLUMN transient BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE provisioning_items DROP COLUMN transient;
ALTER TABLE orders DROP COLUMN payment_attempt;
DROP TABLE notifications;
DROP TABLE oss_sim_items;
DROP TABLE demo_gateway_charges;
DROP TABLE payments;
DELETE FROM id_sequences WHERE name IN ('payments', 'notifications');
