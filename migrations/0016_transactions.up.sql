-- 0016 transactions: every Stellar transaction that touches the platform's contracts.
-- block_number is the ledger sequence; gas_fee the fee charged, in XLM.
-- smart_contract_id's foreign key is added in 0019 with the other blockchain references.
CREATE TABLE transactions (
    transaction_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    transaction_hash  char(64) NOT NULL,
    network           varchar(20) NOT NULL,
    transaction_type  varchar(30) NOT NULL,
    status            varchar(20) NOT NULL DEFAULT 'pending',
    smart_contract_id uuid,
    event_id          uuid REFERENCES events (event_id) ON DELETE SET NULL,
    user_id           uuid REFERENCES users (user_id) ON DELETE SET NULL,
    -- the contract function invoked, when there is one
    function_name     varchar(64),
    from_address      varchar(69),
    to_address        varchar(69),
    amount            numeric(39,7),
    currency          varchar(12),
    block_number      bigint,
    block_timestamp   timestamptz,
    gas_fee           numeric(39,7),
    error_message     text,
    metadata          jsonb NOT NULL DEFAULT '{}',
    submitted_at      timestamptz,
    confirmed_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT transactions_transaction_hash_key UNIQUE (transaction_hash),
    CONSTRAINT transactions_transaction_hash_format CHECK (transaction_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT transactions_network_check CHECK (network IN ('local', 'testnet', 'futurenet', 'mainnet')),
    CONSTRAINT transactions_transaction_type_check CHECK (transaction_type IN (
        'contract_deployment', 'contract_upgrade', 'contract_admin',
        'organizer_verification', 'event_management',
        'ticket_purchase', 'ticket_transfer', 'ticket_resale', 'ticket_check_in', 'ticket_refund',
        'attribution', 'revenue_settlement', 'revenue_claim', 'payment', 'other')),
    CONSTRAINT transactions_status_check CHECK (status IN ('pending', 'confirmed', 'failed', 'cancelled')),
    CONSTRAINT transactions_from_address_format CHECK (is_stellar_address(from_address)),
    CONSTRAINT transactions_to_address_format CHECK (is_stellar_address(to_address)),
    CONSTRAINT transactions_amount_check CHECK (amount >= 0),
    CONSTRAINT transactions_gas_fee_check CHECK (gas_fee >= 0),
    CONSTRAINT transactions_block_number_check CHECK (block_number > 0),
    CONSTRAINT transactions_confirmed_check CHECK (status <> 'confirmed' OR (block_number IS NOT NULL AND confirmed_at IS NOT NULL)),
    CONSTRAINT transactions_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);

-- transaction_hash is indexed by its unique constraint.
CREATE INDEX idx_transactions_from_address ON transactions (from_address);
CREATE INDEX idx_transactions_to_address ON transactions (to_address);
CREATE INDEX idx_transactions_status ON transactions (status);
CREATE INDEX idx_transactions_pending ON transactions (created_at) WHERE status = 'pending';
CREATE INDEX idx_transactions_event_id ON transactions (event_id);
CREATE INDEX idx_transactions_user_id ON transactions (user_id);
CREATE INDEX idx_transactions_block_number ON transactions (block_number);

CREATE TRIGGER trg_transactions_updated_at BEFORE UPDATE ON transactions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
