-- pgbench script: the rows one placed order writes (bench/baseline's insertOne: the load generator's
-- sales order, its request text, lines, attribute and item), as one
-- transaction, for the ratio of placeOrder on PostgreSQL to what PostgreSQL does with the same
-- rows from a C client. Run by bench/pg.sh:
--   pgbench -n -c 16 -j 2 -T 10 -f bench/pgbench/order.sql <database>
\set id random(100000000000, 999999999999999)
\set amount random(1, 40)
\set buyer random(2, 5)
\set total (7250000 + :amount * 1000000) * 125 / 100
\set sub :total * 100 / 125
\set tax :total / 5
\set quantity :amount * 1000000
BEGIN;
UPDATE id_sequences SET next_value = next_value + 1 WHERE name = 'orders';
UPDATE id_sequences SET next_value = next_value + 1 WHERE name = 'order_number_SO';
INSERT INTO orders (id, aps_id, order_number, type, buyer_id, buyer_path, seller_id, currency, sub_total, tax_total,
  exclusive_tax_total, total, status, payment_status, provisioning_status, of_status, end_customer_name,
  end_customer_type, request, order_date, expiration_date, creation_time, updated_at)
  VALUES (:id, 'pgbench-' || :id, 'PB' || :id, 'SO', :buyer, '/1/' || :buyer || '/', 1, 'USD', :sub,
  :tax, 0, :total, 'NOT_STARTED', 'NOT_STARTED', 'NOT_STARTED', 'NW', 'John Smith', 'CUSTOMER',
  '{"type":"SALES","accountId":"3fef9702-b2ad-419a-9924-a56882e5f06c","promoCode":"123","products":[{"planId":"6b64da9a-f8e6-4cbd-8aef-de304a27b627","period":{"unit":"MONTHS","duration":1},"resources":[{"resourceId":"2f8905f8-4302-49d7-ab7f-65c9036addf0","amount":' || :amount || '}]}],"attributes":[{"attributeID":"ORDER_ID1","value":"load-' || :id || '"}]}',
  0, 0, 0, 0);
INSERT INTO order_lines (order_id, position, type, plan_aps_id, period_unit, period_duration, resource_aps_id,
  duration_unit, duration_value, description, quantity, unit_of_measure, unit_price, extended_price, discount_type,
  discount_value, discount_amount, tax_amount) VALUES
  (:id, 0, 'PLAN_SETUP', '6b64da9a-f8e6-4cbd-8aef-de304a27b627', 'MONTHS', 1, '', '', 0, 'Cloud VPSes Setup', 1000000, 'item', 2000000, 1500000, 'PERCENT', 25000000, 500000, 0),
  (:id, 1, 'PLAN_RECURRING', '6b64da9a-f8e6-4cbd-8aef-de304a27b627', 'MONTHS', 1, '', 'MONTHS', 1000000, 'Cloud VPSes Recurring', 1000000, 'item', 4250000, 3190000, 'PERCENT', 25000000, 1060000, 0),
  (:id, 2, 'RESOURCE_RECURRING', '6b64da9a-f8e6-4cbd-8aef-de304a27b627', 'MONTHS', 1, '2f8905f8-4302-49d7-ab7f-65c9036addf0', 'MONTHS', 1000000, 'Cloud VPS Recurring', :quantity, 'unit', 1000000, :quantity, '', 0, 0, 0);
INSERT INTO order_attributes (order_id, attribute_id, value) VALUES (:id, 'ORDER_ID1', 'load-' || :id);
INSERT INTO provisioning_items (id, order_id, position, action, plan_aps_id, subscription_aps_id, spec, status,
  created_at, updated_at) VALUES (:id, :id, 0, 'CREATE', '6b64da9a-f8e6-4cbd-8aef-de304a27b627', 'sub-' || :id,
  '{"accountId":"3fef9702-b2ad-419a-9924-a56882e5f06c","planId":"6b64da9a-f8e6-4cbd-8aef-de304a27b627","period":{"unit":"MONTHS","duration":1},"resources":[{"resourceId":"2f8905f8-4302-49d7-ab7f-65c9036addf0","amount":' || :amount || '}]}',
  'NOT_STARTED', 0, 0);
INSERT INTO order_events (id, order_id, from_state, to_state, created_at) VALUES (:id, :id, '', 'NW', 0);
INSERT INTO jobs (id, kind, order_id, run_at, created_at, updated_at) VALUES (:id, 'pgbench', :id, 0, 0, 0);
COMMIT;
