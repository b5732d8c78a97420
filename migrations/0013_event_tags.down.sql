DROP TABLE event_tags;
