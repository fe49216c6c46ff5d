-- Subscriptions over time and the account ledger: the documents (invoices, payments, credit
-- memos, refunds) an account's balance is derived from, the credit a payment attempt takes from
-- that balance, refund attempts, the scheduler's record of what it did to each subscription, and
-- the demo test clock. Same conventions as 00001: BIGINT micro-units and Unix microseconds.

-- +goose Up
INSERT INTO id_sequences (name, next_value) VALUES
    ('documents', 1), ('document_number_INVOICE', 1), ('document_number_PAYMENT', 1),
    ('document_number_CREDIT_MEMO', 1), ('document_number_REFUND', 1), ('refunds', 1),
    ('schedule_events', 1), ('usage_records', 1);

-- Append-only: rows are inserted, never updated or deleted (no code path does either). amount is
-- a magnitude; the type gives the direction (internal/ledger). account_path scopes lists to the
-- caller's subtree. An order has at most one document of each type.
CREATE TABLE documents (
    id             BIGINT PRIMARY KEY,
    aps_id         TEXT NOT NULL UNIQUE,
    number         TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    account_id     BIGINT NOT NULL REFERENCES accounts (id),
    account_path   TEXT NOT NULL,
    vendor_id      BIGINT NOT NULL REFERENCES accounts (id),
    order_id       BIGINT REFERENCES orders (id),
    related_id     BIGINT REFERENCES documents (id),
    currency       TEXT NOT NULL,
    amount         BIGINT NOT NULL,
    tax_amount     BIGINT NOT NULL DEFAULT 0,
    credit_applied BIGINT NOT NULL DEFAULT 0,
    method_id      BIGINT,
    transaction_id TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    document_date  BIGINT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX documents_order_type ON documents (order_id, type);
CREATE INDEX documents_account ON documents (account_id, currency);
CREATE INDEX documents_path ON documents (account_path, id);
CREATE INDEX documents_type ON documents (type, id);
CREATE INDEX documents_date ON documents (document_date, id);

CREATE TABLE document_lines (
    document_id    BIGINT NOT NULL REFERENCES documents (id),
    position       INTEGER NOT NULL,
    type           TEXT NOT NULL,
    description    TEXT NOT NULL,
    plan_aps_id    TEXT NOT NULL DEFAULT '',
    resource_aps_id TEXT NOT NULL DEFAULT '',
    quantity       BIGINT NOT NULL,
    unit_price     BIGINT NOT NULL,
    amount         BIGINT NOT NULL,
    exclusive_tax  BIGINT NOT NULL DEFAULT 0,
    tax_amount     BIGINT NOT NULL DEFAULT 0,
    duration_unit  TEXT NOT NULL DEFAULT '',
    duration_value BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (document_id, position)
);

-- The account credit a payment attempt uses before its method is charged: RESERVED while the
-- charge is in flight (so two orders cannot spend the same credit), APPLIED when the payment is
-- approved (the invoice records it), RELEASED when it is declined.
CREATE TABLE payment_credits (
    payment_id BIGINT PRIMARY KEY REFERENCES payments (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    currency   TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    state      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX payment_credits_account ON payment_credits (account_id, state);

-- Refund attempts of orders that owe the customer (refundType REFUND), committed PENDING with
-- their idempotency key before the gateway is called, like payments.
CREATE TABLE refunds (
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

-- The demo payment gateway's own books of refunds (beside demo_gateway_charges).
CREATE TABLE demo_gateway_refunds (
    idempotency_key TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL,
    transaction_id  TEXT NOT NULL,
    message         TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

-- What the scheduler did to a subscription for one expiration date: RENEW (an auto-renewal
-- order), GRACE, HOLD, TERMINATE (a termination order). The unique key makes each happen once.
CREATE TABLE schedule_events (
    id              BIGINT PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id),
    kind            TEXT NOT NULL,
    expiration      BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    done_at         BIGINT NOT NULL,
    order_id        BIGINT REFERENCES orders (id),
    message         TEXT NOT NULL DEFAULT '',
    UNIQUE (subscription_id, kind, expiration)
);
CREATE INDEX schedule_events_done ON schedule_events (done_at, id);
CREATE INDEX subscriptions_status_expiration ON subscriptions (status, expiration_date);

-- Resource usage reported for a subscription (by the OSS or a metering system), each record in
-- the billing period it was measured in. At the end of a period the peak of each resource above
-- the subscription's limit is billed as overuse in a billing order (BO), when the plan prices it.
CREATE TABLE usage_records (
    id              BIGINT PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id),
    resource_id     BIGINT NOT NULL REFERENCES resources (id),
    amount          BIGINT NOT NULL,
    measured_at     BIGINT NOT NULL,
    period_end      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX usage_records_period ON usage_records (subscription_id, period_end, resource_id);

-- One row per subscription and billing period with usage: billed_at is set, with the billing
-- order (none when nothing was over its limit), once the period's overuse is billed.
CREATE TABLE usage_periods (
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id),
    period_end      BIGINT NOT NULL,
    period_start    BIGINT NOT NULL,
    billed_at       BIGINT,
    order_id        BIGINT REFERENCES orders (id),
    PRIMARY KEY (subscription_id, period_end)
);
CREATE INDEX usage_periods_due ON usage_periods (billed_at, period_end);

-- The demo test clock's offset from the wall clock (one row), so a restarted demo server
-- resumes its test time.
CREATE TABLE test_clock (
    id            INTEGER PRIMARY KEY,
    offset_micros BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE test_clock;
DROP TABLE usage_periods;
DROP TABLE usage_records;
DROP INDEX subscriptions_status_expiration;
DROP TABLE schedule_events;
DROP TABLE demo_gateway_refunds;
DROP TABLE refunds;
DROP TABLE payment_credits;
DROP TABLE document_lines;
DROP TABLE documents;
DELETE FROM id_sequences WHERE name LIKE 'document_number_%' OR name IN ('documents', 'refunds', 'schedule_events',
    'usage_records');
