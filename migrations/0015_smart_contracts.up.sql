-- 0015 smart_contracts: the registry of the platform's deployed Soroban contracts. `passa deploy`
-- writes it; sync and the backend read it to know which addresses are ours.
-- deployment_transaction_id's foreign key is added in 0019, once transactions exists.
CREATE TABLE smart_contracts (
    contract_id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    contract_address          varchar(56) NOT NULL,
    contract_type             varchar(30) NOT NULL,
    contract_name             varchar(100),
    network                   varchar(20) NOT NULL,
    wasm_hash                 char(64),
    version                   integer NOT NULL DEFAULT 1,
    -- the contract spec (functions, types, events) as JSON
    contract_abi              jsonb NOT NULL DEFAULT '[]',
    deployer_address          varchar(56),
    deployed_by_user_id       uuid REFERENCES users (user_id) ON DELETE SET NULL,
    deployment_transaction_id uuid,
    deployed_at               timestamptz,
    status                    varchar(20) NOT NULL DEFAULT 'deploying',
    metadata                  jsonb NOT NULL DEFAULT '{}',
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT smart_contracts_contract_address_key UNIQUE (contract_address),
    CONSTRAINT smart_contracts_contract_address_format CHECK (contract_address ~ '^C[A-Z2-7]{55}$'),
    CONSTRAINT smart_contracts_contract_type_check CHECK (contract_type IN ('ticketing', 'revenue_distribution', 'attribution')),
    CONSTRAINT smart_contracts_network_check CHECK (network IN ('local', 'testnet', 'futurenet', 'mainnet')),
    CONSTRAINT smart_contracts_wasm_hash_format CHECK (wasm_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT smart_contracts_version_check CHECK (version >= 1),
    CONSTRAINT smart_contracts_deployer_address_format CHECK (deployer_address ~ '^G[A-Z2-7]{55}$'),
    CONSTRAINT smart_contracts_status_check CHECK (status IN ('deploying', 'active', 'paused', 'deprecated')),
    CONSTRAINT smart_contracts_active_deployed_check CHECK (status = 'deploying' OR (deployed_at IS NOT NULL AND wasm_hash IS NOT NULL)),
    CONSTRAINT smart_contracts_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX idx_smart_contracts_type_network ON smart_contracts (contract_type, network, status);
CREATE INDEX idx_smart_contracts_deployed_by ON smart_contracts (deployed_by_user_id);

CREATE TRIGGER trg_smart_contracts_updated_at BEFORE UPDATE ON smart_contracts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
