-- The bounds of an order's validity, expiration_date - order_date (µs), over every order in the
-- store: the order list derives from them the range one date implies for the other
-- (order_validity.go). One row (id 1) once Store.Migrate has created the triggers that widen it
-- on every insert and date change of orders (per dialect) and filled it from the orders already
-- there; lo and hi are NULL while there are no orders. No row: not known yet, nothing derived.
-- Superseded by 00014 (an index of the validity; this table is dropped there).

-- +goose Up
CREATE TABLE order_validity (
    id INTEGER PRIMARY KEY,
    lo BIGINT,
    hi BIGINT
);

-- +goose Down
-- The triggers are Store.Migrate's, written per dialect (DROP TRIGGER differs): drop
-- order_validity_insert and order_validity_update first, or every insert of an order fails.
DROP TABLE order_validity;
