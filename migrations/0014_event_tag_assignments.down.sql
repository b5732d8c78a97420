DROP TABLE event_tag_assignments;
DROP FUNCTION event_tags_count_usage();
