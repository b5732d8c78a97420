DROP TABLE smart_contracts;
