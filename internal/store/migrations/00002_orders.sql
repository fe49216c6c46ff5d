-- Orders, their lines, attributes, provisioning items, events, the jobs outbox, idempotency keys
-- and credit checks. Same conventions as 00001: BIGINT micro-units and Unix microseconds.

-- +goose Up
INSERT INTO id_sequences (name, next_value) VALUES
    ('order_number_SO', 1), ('order_number_RN', 1), ('order_number_CH', 1), ('order_number_CL', 1),
    ('order_number_CF', 1), ('order_number_BO', 1), ('provisioning_items', 1), ('jobs', 1), ('order_events', 1);

CREATE TABLE orders (
    id                  BIGINT PRIMARY KEY,
    aps_id              TEXT NOT NULL UNIQUE,
    order_number        TEXT NOT NULL UNIQUE,
    type                TEXT NOT NULL,
    buyer_id            BIGINT NOT NULL REFERENCES accounts (id),
    buyer_path          TEXT NOT NULL,
    seller_id           BIGINT NOT NULL REFERENCES accounts (id),
    currency            TEXT NOT NULL,
    sub_total           BIGINT NOT NULL,
    tax_total           BIGINT NOT NULL,
    exclusive_tax_total BIGINT NOT NULL,
    total               BIGINT NOT NULL,
    status              TEXT NOT NULL,
    payment_status      TEXT NOT NULL,
    provisioning_status TEXT NOT NULL,
    of_status           TEXT NOT NULL,
    payment_method_id   BIGINT,
    promo_code          TEXT NOT NULL DEFAULT '',
    promo_result        TEXT NOT NULL DEFAULT '',
    subscription_id     BIGINT REFERENCES subscriptions (id),
    refund_type         TEXT NOT NULL DEFAULT '',
    reason_id           BIGINT,
    comment             TEXT NOT NULL DEFAULT '',
    end_customer_name   TEXT NOT NULL,
    end_customer_type   TEXT NOT NULL,
    request             TEXT NOT NULL,
    error_details       TEXT NOT NULL DEFAULT '',
    draft               BOOLEAN NOT NULL DEFAULT FALSE,
    order_date          BIGINT NOT NULL,
    expiration_date     BIGINT NOT NULL,
    creation_time       BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX orders_buyer_path ON orders (buyer_path, id);
CREATE INDEX orders_buyer ON orders (buyer_id, id);
CREATE INDEX orders_seller ON orders (seller_id, id);
CREATE INDEX orders_type ON orders (type, id);
CREATE INDEX orders_status ON orders (status, id);
CREATE INDEX orders_of_status ON orders (of_status, id);
CREATE INDEX orders_payment_status ON orders (payment_status, id);
CREATE INDEX orders_provisioning_status ON orders (provisioning_status, id);
CREATE INDEX orders_creation_time ON orders (creation_time, id);
CREATE INDEX orders_order_date ON orders (order_date, id);
CREATE INDEX orders_expiration_date ON orders (expiration_date, id);
CREATE INDEX orders_subscription ON orders (subscription_id, id);
CREATE INDEX orders_end_customer_name ON orders (end_customer_name, id);

CREATE TABLE order_lines (
    order_id             BIGINT NOT NULL REFERENCES orders (id),
    position             INTEGER NOT NULL,
    type                 TEXT NOT NULL,
    plan_aps_id          TEXT NOT NULL,
    period_unit          TEXT NOT NULL,
    period_duration      INTEGER NOT NULL,
    resource_aps_id      TEXT NOT NULL DEFAULT '',
    duration_unit        TEXT NOT NULL DEFAULT '',
    duration_value       BIGINT NOT NULL DEFAULT 0,
    description          TEXT NOT NULL,
    quantity             BIGINT NOT NULL,
    lower_bound          BIGINT NOT NULL DEFAULT 0,
    unit_of_measure      TEXT NOT NULL,
    unit_price           BIGINT NOT NULL,
    extended_price       BIGINT NOT NULL,
    discount_type        TEXT NOT NULL DEFAULT '',
    discount_value       BIGINT NOT NULL DEFAULT 0,
    discount_amount      BIGINT NOT NULL DEFAULT 0,
    tax_amount           BIGINT NOT NULL DEFAULT 0,
    exclusive_tax_amount BIGINT NOT NULL DEFAULT 0,
    cost                 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, position)
);

CREATE TABLE order_attributes (
    order_id     BIGINT NOT NULL REFERENCES orders (id),
    attribute_id TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (order_id, attribute_id)
);
CREATE INDEX order_attributes_value ON order_attributes (attribute_id, value);

CREATE TABLE order_subscriptions (
    order_id        BIGINT NOT NULL REFERENCES orders (id),
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id),
    PRIMARY KEY (order_id, subscription_id)
);
CREATE INDEX order_subscriptions_subscription ON order_subscriptions (subscription_id);

-- One unit of work for the OSS per subscription action. For a SALES order the subscription is
-- created (with its APS id reserved at placement) when the item completes.
CREATE TABLE provisioning_items (
    id                  BIGINT PRIMARY KEY,
    order_id            BIGINT NOT NULL REFERENCES orders (id),
    position            INTEGER NOT NULL,
    action              TEXT NOT NULL,
    plan_aps_id         TEXT NOT NULL,
    subscription_aps_id TEXT NOT NULL,
    service_type        TEXT NOT NULL DEFAULT '',
    service_identifier  TEXT NOT NULL DEFAULT '',
    spec                TEXT NOT NULL,
    status              TEXT NOT NULL,
    message             TEXT NOT NULL DEFAULT '',
    gate_id             TEXT NOT NULL DEFAULT '',
    oss_subscription_id TEXT NOT NULL DEFAULT '',
    attempts            INTEGER NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX provisioning_items_order ON provisioning_items (order_id, position);
CREATE INDEX provisioning_items_status ON provisioning_items (status, updated_at);
CREATE INDEX provisioning_items_identifier ON provisioning_items (service_type, service_identifier);

-- The order's history: every flow-status change, with who or what caused it.
CREATE TABLE order_events (
    id         BIGINT PRIMARY KEY,
    order_id   BIGINT NOT NULL REFERENCES orders (id),
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    message    TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

-- The transactional outbox: a job is written in the same transaction as the state it acts on.
CREATE TABLE jobs (
    id           BIGINT PRIMARY KEY,
    kind         TEXT NOT NULL,
    order_id     BIGINT REFERENCES orders (id),
    item_id      BIGINT,
    run_at       BIGINT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    locked_by    TEXT NOT NULL DEFAULT '',
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT 'pending',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- Idempotency-Key: the first answer to a (caller account, key) is replayed for the same body.
CREATE TABLE idempotency_keys (
    account_id   BIGINT NOT NULL REFERENCES accounts (id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, key)
);

-- Credit checks per account (seed 001): NONE recorded means "Missing credit check".
CREATE TABLE credit_checks (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
    status     TEXT NOT NULL,
    record     TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

ALTER TABLE subscriptions ADD COLUMN service_identifier TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE subscriptions DROP COLUMN service_identifier;
DROP TABLE credit_checks;
DROP TABLE idempotency_keys;
DROP TABLE jobs;
DROP TABLE order_events;
DROP TABLE provisioning_items;
DROP TABLE order_subscriptions;
DROP TABLE order_attributes;
DROP TABLE order_lines;
DROP TABLE orders;
DELETE FROM id_sequences WHERE name LIKE 'order_number_%' OR name IN ('provisioning_items', 'jobs', 'order_events');
