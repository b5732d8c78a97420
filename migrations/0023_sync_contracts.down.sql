DROP TABLE sync_contracts;
