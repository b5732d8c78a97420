DROP TABLE events;
DROP FUNCTION events_enforce_publication();
