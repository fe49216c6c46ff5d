-- The foundation schema. One text for both engines: it uses only types both understand.
-- Money is BIGINT micro-units (scale 6); times are BIGINT Unix microseconds, UTC; booleans are
-- BOOLEAN (an integer 0/1 on SQLite). Internal ids come from id_sequences (see ids.go).

-- +goose Up
CREATE TABLE id_sequences (
    name       TEXT PRIMARY KEY,
    next_value BIGINT NOT NULL
);
INSERT INTO id_sequences (name, next_value) VALUES
    ('accounts', 1000001), ('subscriptions', 1000001), ('orders', 1000001),
    ('payment_methods', 100), ('tokens', 1), ('resources', 1), ('plans', 1),
    ('promotions', 1), ('tax_rules', 1), ('reason_codes', 1000), ('audit', 1);

CREATE TABLE accounts (
    id              BIGINT PRIMARY KEY,
    aps_id          TEXT NOT NULL UNIQUE,
    parent_id       BIGINT REFERENCES accounts (id),
    path            TEXT NOT NULL,
    type            TEXT NOT NULL,
    status          TEXT NOT NULL,
    name            TEXT NOT NULL,
    contact_first   TEXT NOT NULL DEFAULT '',
    contact_last    TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    can_order       BOOLEAN NOT NULL DEFAULT TRUE,
    type_can_order  BOOLEAN NOT NULL DEFAULT TRUE,
    tax_zone        TEXT NOT NULL DEFAULT '',
    currency        TEXT NOT NULL DEFAULT 'USD',
    attributes      TEXT NOT NULL DEFAULT '[]',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX accounts_path ON accounts (path);
CREATE INDEX accounts_parent ON accounts (parent_id);

CREATE TABLE api_tokens (
    id          BIGINT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL DEFAULT '',
    hash        TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL DEFAULT '',
    scopes      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE payment_methods (
    id                BIGINT PRIMARY KEY,
    vendor_id         BIGINT NOT NULL REFERENCES accounts (id),
    owner_account_id  BIGINT REFERENCES accounts (id),
    payment_system_id TEXT NOT NULL,
    payment_system    TEXT NOT NULL,
    number            TEXT,
    name              TEXT NOT NULL,
    type              TEXT NOT NULL,
    status            TEXT NOT NULL,
    ratified          TEXT NOT NULL DEFAULT 'NOT_REQUIRED',
    default_method    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        BIGINT NOT NULL
);
CREATE INDEX payment_methods_owner ON payment_methods (owner_account_id);
CREATE INDEX payment_methods_vendor ON payment_methods (vendor_id);

CREATE TABLE resources (
    id          BIGINT PRIMARY KEY,
    aps_id      TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE resource_dependencies (
    resource_id        BIGINT NOT NULL REFERENCES resources (id),
    kind               TEXT NOT NULL,
    parent_resource_id BIGINT NOT NULL REFERENCES resources (id),
    amount             BIGINT NOT NULL,
    PRIMARY KEY (resource_id, kind, parent_resource_id)
);

CREATE TABLE terms (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    content TEXT NOT NULL
);

CREATE TABLE plans (
    id                    BIGINT PRIMARY KEY,
    aps_id                TEXT NOT NULL UNIQUE,
    owner_id              BIGINT NOT NULL REFERENCES accounts (id),
    name                  TEXT NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    service_type          TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL,
    currency              TEXT NOT NULL,
    pricing_model         TEXT NOT NULL,
    billing_unit          TEXT NOT NULL,
    billing_duration      INTEGER NOT NULL,
    autorenew_type        TEXT NOT NULL,
    autorenew_days        INTEGER NOT NULL,
    billing_model         TEXT NOT NULL,
    recurring_every       TEXT NOT NULL,
    requires_credit_check BOOLEAN NOT NULL DEFAULT FALSE,
    unique_identifier     BOOLEAN NOT NULL DEFAULT FALSE,
    activation_params     TEXT NOT NULL DEFAULT '[]',
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);

CREATE TABLE plan_periods (
    plan_id          BIGINT NOT NULL REFERENCES plans (id),
    position         INTEGER NOT NULL,
    unit             TEXT NOT NULL,
    duration         INTEGER NOT NULL,
    billing_periods  INTEGER NOT NULL,
    trial            BOOLEAN NOT NULL DEFAULT FALSE,
    is_default       BOOLEAN NOT NULL DEFAULT FALSE,
    setup_fee        BIGINT NOT NULL DEFAULT 0,
    recurring_fee    BIGINT NOT NULL DEFAULT 0,
    renewal_fee      BIGINT NOT NULL DEFAULT 0,
    transfer_fee     BIGINT NOT NULL DEFAULT 0,
    deposit_fee      BIGINT NOT NULL DEFAULT 0,
    refund_type      TEXT NOT NULL DEFAULT 'PRORATED',
    refund_days      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_id, unit, duration, trial)
);

CREATE TABLE plan_resource_rates (
    plan_id         BIGINT NOT NULL REFERENCES plans (id),
    resource_id     BIGINT NOT NULL REFERENCES resources (id),
    position        INTEGER NOT NULL,
    included        BIGINT NOT NULL DEFAULT 0,
    min_amount      BIGINT NOT NULL DEFAULT 0,
    max_amount      BIGINT NOT NULL DEFAULT -1000000,
    setup_fee       BIGINT NOT NULL DEFAULT 0,
    recurring_fee   BIGINT NOT NULL DEFAULT 0,
    overuse_fee     BIGINT NOT NULL DEFAULT 0,
    charge_per_unit BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (plan_id, resource_id)
);

CREATE TABLE plan_terms (
    plan_id BIGINT NOT NULL REFERENCES plans (id),
    term_id TEXT NOT NULL REFERENCES terms (id),
    PRIMARY KEY (plan_id, term_id)
);

CREATE TABLE plan_children (
    plan_id       BIGINT NOT NULL REFERENCES plans (id),
    child_plan_id BIGINT NOT NULL REFERENCES plans (id),
    PRIMARY KEY (plan_id, child_plan_id)
);

-- A plan offered by a reseller, and what the reseller pays its parent for it: a percent off the
-- parent's prices, or explicit costs (a JSON document of fees per period and resource).
CREATE TABLE delegations (
    plan_id        BIGINT NOT NULL REFERENCES plans (id),
    reseller_id    BIGINT NOT NULL REFERENCES accounts (id),
    cost_rule      TEXT NOT NULL,
    cost_percent   BIGINT NOT NULL DEFAULT 0,
    explicit_costs TEXT NOT NULL DEFAULT '{}',
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (plan_id, reseller_id)
);
CREATE INDEX delegations_reseller ON delegations (reseller_id);

CREATE TABLE promotions (
    id            BIGINT PRIMARY KEY,
    vendor_id     BIGINT NOT NULL REFERENCES accounts (id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    discount_type TEXT NOT NULL,
    value         BIGINT NOT NULL,
    order_types   TEXT NOT NULL DEFAULT '',
    valid_from    BIGINT,
    valid_to      BIGINT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL,
    UNIQUE (vendor_id, code)
);

CREATE TABLE promotion_plans (
    promotion_id BIGINT NOT NULL REFERENCES promotions (id),
    plan_id      BIGINT NOT NULL REFERENCES plans (id),
    PRIMARY KEY (promotion_id, plan_id)
);

CREATE TABLE tax_rules (
    id         BIGINT PRIMARY KEY,
    zone       TEXT NOT NULL,
    name       TEXT NOT NULL,
    rate       BIGINT NOT NULL,
    inclusive  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE INDEX tax_rules_zone ON tax_rules (zone);

CREATE TABLE reason_codes (
    id             BIGINT PRIMARY KEY,
    operation_type TEXT NOT NULL,
    description    TEXT NOT NULL
);

CREATE TABLE subscriptions (
    id                BIGINT PRIMARY KEY,
    aps_id            TEXT NOT NULL UNIQUE,
    account_id        BIGINT NOT NULL REFERENCES accounts (id),
    plan_id           BIGINT NOT NULL REFERENCES plans (id),
    name              TEXT NOT NULL,
    status            TEXT NOT NULL,
    service_status    TEXT NOT NULL,
    period_unit       TEXT NOT NULL,
    period_duration   INTEGER NOT NULL,
    billing_unit      TEXT NOT NULL,
    billing_duration  INTEGER NOT NULL,
    billing_model     TEXT NOT NULL,
    freeze_prices     BOOLEAN NOT NULL DEFAULT FALSE,
    autorenew_type    TEXT NOT NULL,
    autorenew_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    trial             BOOLEAN NOT NULL DEFAULT FALSE,
    service_gate      TEXT NOT NULL DEFAULT 'PEMGATE',
    start_date        BIGINT NOT NULL,
    expiration_date   BIGINT NOT NULL,
    last_bill_date    BIGINT,
    next_bill_date    BIGINT,
    oss_id            TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX subscriptions_account ON subscriptions (account_id);
CREATE INDEX subscriptions_plan ON subscriptions (plan_id);

CREATE TABLE subscription_resources (
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id),
    resource_id     BIGINT NOT NULL REFERENCES resources (id),
    amount          BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, resource_id)
);

-- +goose Down
DROP TABLE subscription_resources;
DROP TABLE subscriptions;
DROP TABLE reason_codes;
DROP TABLE tax_rules;
DROP TABLE promotion_plans;
DROP TABLE promotions;
DROP TABLE delegations;
DROP TABLE plan_children;
DROP TABLE plan_terms;
DROP TABLE plan_resource_rates;
DROP TABLE plan_periods;
DROP TABLE plans;
DROP TABLE terms;
DROP TABLE resource_dependencies;
DROP TABLE resources;
DROP TABLE payment_methods;
DROP TABLE api_tokens;
DROP TABLE accounts;
DROP TABLE id_sequences;
