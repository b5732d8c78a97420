-- 0017 tickets: NFT tickets. A minted ticket is identified on chain by (smart_contract_id,
-- token_id); rows without them are off-chain inventory (available / reserved).
-- smart_contract_id's and purchase_transaction_id's foreign keys are added in 0019.
CREATE TABLE tickets (
    ticket_id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id                uuid NOT NULL REFERENCES events (event_id) ON DELETE RESTRICT,
    smart_contract_id       uuid,
    token_id                bigint,
    ticket_tier             varchar(32) NOT NULL DEFAULT 'general',
    seat_info               varchar(50),
    -- face value, and the latest price it changed hands or is listed at
    price                   numeric(39,7) NOT NULL,
    current_price           numeric(39,7),
    currency                varchar(12) NOT NULL DEFAULT 'XLM',
    owner_user_id           uuid REFERENCES users (user_id) ON DELETE SET NULL,
    ticket_status           varchar(20) NOT NULL DEFAULT 'available',
    is_transferable         boolean NOT NULL DEFAULT true,
    is_refundable           boolean NOT NULL DEFAULT false,
    is_resaleable           boolean NOT NULL DEFAULT false,
    purchase_date           timestamptz,
    purchase_transaction_id uuid,
    transfer_count          integer NOT NULL DEFAULT 0,
    used_at                 timestamptz,
    refunded_at             timestamptz,
    metadata_uri            text,
    metadata                jsonb NOT NULL DEFAULT '{}',
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tickets_contract_token_key UNIQUE (smart_contract_id, token_id),
    CONSTRAINT tickets_token_pair_check CHECK ((token_id IS NULL) = (smart_contract_id IS NULL)),
    CONSTRAINT tickets_token_id_range CHECK (token_id BETWEEN 0 AND 4294967295),
    CONSTRAINT tickets_ticket_tier_format CHECK (ticket_tier ~ '^[A-Za-z0-9_-]{1,32}$'),
    CONSTRAINT tickets_price_check CHECK (price >= 0),
    CONSTRAINT tickets_current_price_check CHECK (current_price >= 0),
    CONSTRAINT tickets_ticket_status_check CHECK (ticket_status IN ('available', 'reserved', 'purchased', 'used', 'cancelled', 'refunded')),
    CONSTRAINT tickets_purchase_date_check CHECK (ticket_status NOT IN ('purchased', 'used', 'refunded') OR purchase_date IS NOT NULL),
    CONSTRAINT tickets_used_at_check CHECK (ticket_status <> 'used' OR used_at IS NOT NULL),
    CONSTRAINT tickets_refunded_at_check CHECK (ticket_status <> 'refunded' OR refunded_at IS NOT NULL),
    CONSTRAINT tickets_transfer_count_check CHECK (transfer_count >= 0),
    CONSTRAINT tickets_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX idx_tickets_event_id ON tickets (event_id);
CREATE INDEX idx_tickets_owner_user_id ON tickets (owner_user_id);
CREATE INDEX idx_tickets_ticket_status ON tickets (ticket_status);
CREATE INDEX idx_tickets_purchase_date ON tickets (purchase_date);
-- what is still for sale for an event
CREATE INDEX idx_tickets_available ON tickets (event_id, ticket_tier) WHERE ticket_status = 'available';

CREATE TRIGGER trg_tickets_updated_at BEFORE UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
