-- pgbench script: the rows of one placed order as order.sql writes them, with the ids as
-- openbss takes them on PostgreSQL: from blocks of 256 reserved by statements of their own,
-- outside the order's transaction (store/id_blocks.go), so no counter row stays locked until
-- commit. One transaction in 256 first reserves a block of each counter. Run by bench/pg.sh:
--   pgbench -n -c 16 -j 2 -T 10 -f bench/pgbench/order-blocks.sql <database>
\set id random(100000000000, 999999999999999)
\set refill random(1, 256)
\if :refill = 1
UPDATE id_sequences SET next_value = next_value + 256 WHERE name = 'orders';
UPDATE id_sequences SET next_value = next_value + 256 WHERE name = 'order_number_SO';
\endif
BEGIN;
INSERT INTO orders (id, aps_id, order_number, type, buyer_id, buyer_path, seller_id, currency, sub_total, tax_total,
  exclusive_tax_total, total, status, payment_status, provisioning_status, of_status, end_customer_name,
  end_customer_type, request, order_date, expiration_date, creation_time, updated_at)
  VALUES (:id, 'pgbench-' || :id, 'PB' || :id, 'SO', 1, '/1/', 1, 'USD', 1000000, 0, 0, 1000000, 'NOT_STARTED',
  'NOT_STARTED', 'NOT_STARTED', 'NW', 'John Smith', 'CUSTOMER', '{}', 0, 0, 0, 0);
INSERT INTO order_lines (order_id, position, type, plan_aps_id, period_unit, period_duration, description, quantity,
  unit_of_measure, unit_price, extended_price) VALUES
  (:id, 0, 'PLAN_RECURRING', 'plan', 'MONTHS', 1, 'line', 1000000, 'item', 1000000, 1000000),
  (:id, 1, 'PLAN_RECURRING', 'plan', 'MONTHS', 1, 'line', 1000000, 'item', 1000000, 1000000),
  (:id, 2, 'PLAN_RECURRING', 'plan', 'MONTHS', 1, 'line', 1000000, 'item', 1000000, 1000000);
INSERT INTO provisioning_items (id, order_id, position, action, plan_aps_id, subscription_aps_id, spec, status,
  created_at, updated_at) VALUES (:id, :id, 0, 'CREATE', 'plan', 'sub', '{}', 'NOT_STARTED', 0, 0);
INSERT INTO order_events (id, order_id, from_state, to_state, created_at) VALUES (:id, :id, '', 'NW', 0);
INSERT INTO jobs (id, kind, order_id, run_at, created_at, updated_at) VALUES (:id, 'pgbench', :id, 0, 0, 0);
COMMIT;
