DROP TABLE organizers;
