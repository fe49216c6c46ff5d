-- The control panel (/panel/): sign-in sessions. A session row holds only the SHA-256 of the
-- session id the browser's cookie carries, and the API token the operator signed in with, so
-- revoking or expiring the token ends its sessions too.

-- +goose Up
CREATE TABLE panel_sessions (
    id_hash    TEXT PRIMARY KEY,
    token_id   BIGINT NOT NULL REFERENCES api_tokens (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX panel_sessions_expires ON panel_sessions (expires_at);

-- The dashboard counts orders per flow status inside the caller's subtree: with this index each
-- count is one index-only range scan, never a read of the order rows.
CREATE INDEX orders_of_status_path ON orders (of_status, buyer_path);

-- The order list sorts by total too (every other sortable column has its index already).
CREATE INDEX orders_total ON orders (total, id);

-- +goose Down
DROP INDEX orders_total;
DROP INDEX orders_of_status_path;
DROP TABLE panel_sessions;
