-- 0019 foreign keys that point into the blockchain tables (smart_contracts, transactions),
-- added once every table they join exists. A contract or transaction that events, tickets or
-- attributions still refer to cannot be deleted; a deleted transaction only unlinks.
ALTER TABLE events
    ADD CONSTRAINT events_smart_contract_id_fkey
    FOREIGN KEY (smart_contract_id) REFERENCES smart_contracts (contract_id) ON DELETE RESTRICT;
CREATE INDEX idx_events_smart_contract_id ON events (smart_contract_id);

ALTER TABLE smart_contracts
    ADD CONSTRAINT smart_contracts_deployment_transaction_id_fkey
    FOREIGN KEY (deployment_transaction_id) REFERENCES transactions (transaction_id) ON DELETE SET NULL;
CREATE INDEX idx_smart_contracts_deployment_transaction_id ON smart_contracts (deployment_transaction_id);

ALTER TABLE transactions
    ADD CONSTRAINT transactions_smart_contract_id_fkey
    FOREIGN KEY (smart_contract_id) REFERENCES smart_contracts (contract_id) ON DELETE RESTRICT;
CREATE INDEX idx_transactions_smart_contract_id ON transactions (smart_contract_id);

ALTER TABLE tickets
    ADD CONSTRAINT tickets_smart_contract_id_fkey
    FOREIGN KEY (smart_contract_id) REFERENCES smart_contracts (contract_id) ON DELETE RESTRICT,
    ADD CONSTRAINT tickets_purchase_transaction_id_fkey
    FOREIGN KEY (purchase_transaction_id) REFERENCES transactions (transaction_id) ON DELETE SET NULL;
CREATE INDEX idx_tickets_purchase_transaction_id ON tickets (purchase_transaction_id);

ALTER TABLE attribution
    ADD CONSTRAINT attribution_payout_transaction_id_fkey
    FOREIGN KEY (payout_transaction_id) REFERENCES transactions (transaction_id) ON DELETE SET NULL;
CREATE INDEX idx_attribution_payout_transaction_id ON attribution (payout_transaction_id);
