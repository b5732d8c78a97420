DROP TABLE attribution;
DROP FUNCTION attribution_enforce_percentage_total();
DROP FUNCTION attribution_add_to_event_total(uuid, numeric);
DROP FUNCTION attribution_counted_share(text, text, numeric);
ALTER TABLE events DROP COLUMN attribution_percentage_total;
