-- A counter of catalog changes. Triggers (created by Store.Migrate, per dialect) bump it on every
-- write to a catalog table, from any process, so in-memory catalog caches know when to reload.

-- +goose Up
CREATE TABLE cache_version (
    id INTEGER PRIMARY KEY,
    v  BIGINT NOT NULL
);
INSERT INTO cache_version (id, v) VALUES (1, 1);

-- +goose Down
DROP TABLE cache_version;
