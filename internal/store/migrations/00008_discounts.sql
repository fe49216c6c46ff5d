-- Standing discounts: a percent or an amount off each line that a vendor gives one of its
-- accounts (account_id) or all of them (account_id NULL), on some plans (discount_plans) or all.

-- +goose Up
CREATE TABLE discounts (
    id            BIGINT PRIMARY KEY,
    vendor_id     BIGINT NOT NULL REFERENCES accounts (id),
    account_id    BIGINT REFERENCES accounts (id),
    discount_type TEXT NOT NULL,
    value         BIGINT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL
);
CREATE INDEX discounts_vendor ON discounts (vendor_id);

CREATE TABLE discount_plans (
    discount_id BIGINT NOT NULL REFERENCES discounts (id),
    plan_id     BIGINT NOT NULL REFERENCES plans (id),
    PRIMARY KEY (discount_id, plan_id)
);

INSERT INTO id_sequences (name, next_value) VALUES ('discounts', 1);

-- +goose Down
DELETE FROM id_sequences WHERE name = 'discounts';
DROP TABLE discount_plans;
DROP TABLE discounts;
