-- Order attributes are searched by value case-insensitively (like(), the seed's ORDER_ID1: an
-- integration looks its orders up by its own reference): the index on the value lower-cased
-- serves those searches and exact ones alike (rql.Field.Folded), so it replaces the index on
-- the value as written. lower() is a function of the value alone on both engines.

-- +goose Up
DROP INDEX order_attributes_value;
CREATE INDEX order_attributes_folded ON order_attributes (attribute_id, lower(value));

-- +goose Down
DROP INDEX order_attributes_folded;
CREATE INDEX order_attributes_value ON order_attributes (attribute_id, value);
