-- Covering indexes for the order list of a subtree and of a flow status (store/panel_orders.go).
-- An order list filtered two ways (a reseller's orders of one quarter, its SO orders by customer
-- name) otherwise reads every order row of one condition's range to test the other. These two
-- indexes hold every column the control panel filters and sorts by, so such a list is one
-- index-only scan of the subtree's (or the flow status's) range. They replace the narrow
-- (buyer_path, id) and (of_status, buyer_path) indexes, whose prefixes they keep: the write path
-- keeps its number of indexes. id is not SQLite's rowid (BIGINT PRIMARY KEY is not an alias of
-- it), so it is a column of both.

-- +goose Up
DROP INDEX orders_buyer_path;
DROP INDEX orders_of_status_path;
CREATE INDEX orders_scope_cover ON orders (buyer_path, of_status, status, type, creation_time,
    end_customer_name, total, order_number, buyer_id, id);
CREATE INDEX orders_of_status_cover ON orders (of_status, buyer_path, status, type, creation_time,
    end_customer_name, total, order_number, buyer_id, id);

-- +goose Down
DROP INDEX orders_scope_cover;
DROP INDEX orders_of_status_cover;
CREATE INDEX orders_buyer_path ON orders (buyer_path, id);
CREATE INDEX orders_of_status_path ON orders (of_status, buyer_path);
