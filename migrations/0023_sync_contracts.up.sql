-- 0023 sync_contracts: which registered contracts `passa sync` follows, and from which ledger.
-- A contract registered after the sync cursor has passed its deployment ledger (a second
-- deployment, a redeploy) is not covered yet: the sync backfills its events up to the cursor
-- first, then records it here, so no contract's history is skipped.
CREATE TABLE sync_contracts (
    smart_contract_id    uuid PRIMARY KEY REFERENCES smart_contracts (contract_id) ON DELETE CASCADE,
    network              varchar(20) NOT NULL,
    -- its events are mirrored from this ledger on
    followed_from_ledger bigint NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sync_contracts_network_check CHECK (network IN ('local', 'testnet', 'futurenet', 'mainnet')),
    CONSTRAINT sync_contracts_followed_from_ledger_check CHECK (followed_from_ledger > 0)
);

CREATE INDEX idx_sync_contracts_network ON sync_contracts (network);
