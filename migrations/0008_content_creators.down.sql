DROP TABLE content_creators;
