-- The bounds of an order's validity, expiration_date - order_date, are read from an index of it
-- (MIN and MAX: one seek each; order_validity.go) instead of 00013's table: the triggers that
-- widened that table cost ~10% of the CPU of writing an order on SQLite, the index ~1%. Both
-- engines index the expression and use the index for MIN/MAX and for the planner's subqueries.
-- Store.Migrate drops 00013's triggers (written per dialect) after this migration.

-- +goose Up
CREATE INDEX orders_validity ON orders ((expiration_date - order_date));
DROP TABLE order_validity;

-- +goose Down
CREATE TABLE order_validity (
    id INTEGER PRIMARY KEY,
    lo BIGINT,
    hi BIGINT
);
DROP INDEX orders_validity;
