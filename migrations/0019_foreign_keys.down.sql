DROP INDEX idx_attribution_payout_transaction_id;
ALTER TABLE attribution DROP CONSTRAINT attribution_payout_transaction_id_fkey;

DROP INDEX idx_tickets_purchase_transaction_id;
ALTER TABLE tickets
    DROP CONSTRAINT tickets_purchase_transaction_id_fkey,
    DROP CONSTRAINT tickets_smart_contract_id_fkey;

DROP INDEX idx_transactions_smart_contract_id;
ALTER TABLE transactions DROP CONSTRAINT transactions_smart_contract_id_fkey;

DROP INDEX idx_smart_contracts_deployment_transaction_id;
ALTER TABLE smart_contracts DROP CONSTRAINT smart_contracts_deployment_transaction_id_fkey;

DROP INDEX idx_events_smart_contract_id;
ALTER TABLE events DROP CONSTRAINT events_smart_contract_id_fkey;
