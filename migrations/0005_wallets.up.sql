-- 0005 wallets: users' blockchain addresses. Stellar is the primary network; others are allowed.
-- The chain mirror resolves on-chain owners to users through this table, so an address belongs
-- to at most one user per network.
CREATE TABLE wallets (
    wallet_id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    wallet_address         varchar(128) NOT NULL,
    blockchain_network     varchar(32)  NOT NULL DEFAULT 'stellar',
    wallet_type            varchar(20)  NOT NULL DEFAULT 'non_custodial',
    -- freighter, lobstr, xbull, albedo, passkey, …
    wallet_provider        varchar(50),
    label                  varchar(100),
    is_primary             boolean NOT NULL DEFAULT false,
    is_verified            boolean NOT NULL DEFAULT false,
    verified_at            timestamptz,
    -- the signed challenge that proved control of the address
    verification_signature text,
    last_used_at           timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT wallets_network_address_key UNIQUE (blockchain_network, wallet_address),
    CONSTRAINT wallets_blockchain_network_format CHECK (blockchain_network ~ '^[a-z][a-z0-9_-]{1,31}$'),
    CONSTRAINT wallets_wallet_type_check CHECK (wallet_type IN ('custodial', 'non_custodial', 'hardware')),
    CONSTRAINT wallets_stellar_address_check CHECK (blockchain_network <> 'stellar' OR is_stellar_address(wallet_address)),
    CONSTRAINT wallets_verified_at_check CHECK (NOT is_verified OR verified_at IS NOT NULL)
);

-- Business rule: one primary wallet per user per blockchain network.
CREATE UNIQUE INDEX uq_wallets_primary_per_network ON wallets (user_id, blockchain_network) WHERE is_primary;
CREATE INDEX idx_wallets_user_id ON wallets (user_id);

CREATE TRIGGER trg_wallets_updated_at BEFORE UPDATE ON wallets
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
