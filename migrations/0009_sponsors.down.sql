DROP TABLE sponsors;
