-- The running balance of each account in each currency, kept with every document in the same
-- transaction: what the account owes (invoices, refunds paid out) less what it paid or was
-- credited. The documents stay the record; this row spares summing them for every payment
-- (the credit check before each charge). A test checks it equals the documents' sum.

-- +goose Up
CREATE TABLE account_balances (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    currency   TEXT NOT NULL,
    balance    BIGINT NOT NULL,
    PRIMARY KEY (account_id, currency)
);
INSERT INTO account_balances (account_id, currency, balance)
SELECT account_id, currency, SUM(CASE WHEN type IN ('INVOICE', 'REFUND') THEN amount ELSE -amount END)
FROM documents GROUP BY account_id, currency;

-- +goose Down
DROP TABLE account_balances;
