ALTER TABLE ticket_transfers
    DROP CONSTRAINT ticket_transfers_transaction_hash_format,
    ADD CONSTRAINT ticket_transfers_transaction_hash_format CHECK (transaction_hash ~ '^[0-9a-f]{64}$');

ALTER TABLE events
    DROP CONSTRAINT events_payment_token_address_format,
    ADD CONSTRAINT events_payment_token_address_format CHECK (payment_token_address ~ '^C[A-Z2-7]{55}$');

ALTER TABLE chain_events
    DROP CONSTRAINT chain_events_event_id_format,
    DROP CONSTRAINT chain_events_contract_address_format,
    DROP CONSTRAINT chain_events_transaction_hash_format,
    ADD CONSTRAINT chain_events_event_id_format CHECK (event_id ~ '^[0-9]{19}-[0-9]{10}$'),
    ADD CONSTRAINT chain_events_contract_address_format CHECK (contract_address ~ '^C[A-Z2-7]{55}$'),
    ADD CONSTRAINT chain_events_transaction_hash_format CHECK (transaction_hash ~ '^[0-9a-f]{64}$');

ALTER TABLE sync_cursors
    DROP CONSTRAINT sync_cursors_cursor_format,
    ADD CONSTRAINT sync_cursors_cursor_format CHECK (cursor ~ '^[0-9]{19}-[0-9]{10}$');

ALTER TABLE audit_logs
    DROP CONSTRAINT audit_logs_transaction_hash_format,
    ADD CONSTRAINT audit_logs_transaction_hash_format CHECK (transaction_hash ~ '^[0-9a-f]{64}$');

ALTER TABLE tickets
    DROP CONSTRAINT tickets_ticket_tier_format,
    ADD CONSTRAINT tickets_ticket_tier_format CHECK (ticket_tier ~ '^[A-Za-z0-9_-]{1,32}$');

ALTER TABLE transactions
    DROP CONSTRAINT transactions_transaction_hash_format,
    ADD CONSTRAINT transactions_transaction_hash_format CHECK (transaction_hash ~ '^[0-9a-f]{64}$');

ALTER TABLE smart_contracts
    DROP CONSTRAINT smart_contracts_contract_address_format,
    DROP CONSTRAINT smart_contracts_wasm_hash_format,
    DROP CONSTRAINT smart_contracts_deployer_address_format,
    ADD CONSTRAINT smart_contracts_contract_address_format CHECK (contract_address ~ '^C[A-Z2-7]{55}$'),
    ADD CONSTRAINT smart_contracts_wasm_hash_format CHECK (wasm_hash ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT smart_contracts_deployer_address_format CHECK (deployer_address ~ '^G[A-Z2-7]{55}$');

DROP FUNCTION is_rpc_event_id(text);
DROP FUNCTION is_sha256_hex(text);
DROP FUNCTION is_account_address(text);
DROP FUNCTION is_contract_address(text);

CREATE OR REPLACE FUNCTION is_stellar_address(addr text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT addr ~ '^[GC][A-Z2-7]{55}$' OR addr ~ '^M[A-Z2-7]{68}$'
$$;
