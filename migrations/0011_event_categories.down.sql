DROP TABLE event_categories;
DROP FUNCTION event_categories_prevent_cycle();
