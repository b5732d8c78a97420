-- 0022 chain sync: what `passa sync` needs beside the seed schema to mirror the contracts.
--   * chain_events: every raw contract event read through getEvents, keyed by its RPC id;
--   * parked_events: events the mirror could not apply yet, with the reason;
--   * sync_cursors: per network, where the follower continues (only ever forward);
--   * ticket_transfers: each ticket's change of hands;
--   * chain columns next to the seed's: strkey addresses next to user ids, raw token amounts
--     (NUMERIC(39,0), i128 on chain) next to the human prices, on-chain ids and statuses.
-- Everything here is written by `passa sync` in one database transaction per page of events.

-- ------------------------------------------------------------------ sync_cursors
CREATE TABLE sync_cursors (
    network               varchar(20) PRIMARY KEY,
    -- the getEvents paging cursor (an RPC event id, '%019d-%010d'); the next page is after it
    cursor                varchar(30) NOT NULL,
    -- every ledger up to and including this one is applied
    last_ledger           bigint NOT NULL,
    last_ledger_closed_at timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sync_cursors_network_check CHECK (network IN ('local', 'testnet', 'futurenet', 'mainnet')),
    CONSTRAINT sync_cursors_cursor_format CHECK (cursor ~ '^[0-9]{19}-[0-9]{10}$'),
    CONSTRAINT sync_cursors_last_ledger_check CHECK (last_ledger >= 0)
);

-- The cursor only moves forward: a page applied twice, or a stale process, cannot rewind it.
-- (The ids are fixed-width decimals, so text order is chain order.)
CREATE FUNCTION sync_cursors_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.network <> OLD.network OR NEW.cursor < OLD.cursor OR NEW.last_ledger < OLD.last_ledger THEN
        RAISE EXCEPTION 'sync cursor of % cannot move back from % (ledger %) to % (ledger %)',
            OLD.network, OLD.cursor, OLD.last_ledger, NEW.cursor, NEW.last_ledger
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'sync_cursors_forward_only',
                  TABLE = 'sync_cursors';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_sync_cursors_forward_only BEFORE UPDATE ON sync_cursors
    FOR EACH ROW EXECUTE FUNCTION sync_cursors_forward_only();
CREATE TRIGGER trg_sync_cursors_updated_at BEFORE UPDATE ON sync_cursors
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ------------------------------------------------------------------ chain_events
CREATE TABLE chain_events (
    network           varchar(20) NOT NULL,
    -- the RPC's event id: TOID of the operation and the event's index, '%019d-%010d'
    event_id          varchar(30) NOT NULL,
    smart_contract_id uuid NOT NULL REFERENCES smart_contracts (contract_id) ON DELETE RESTRICT,
    contract_address  varchar(56) NOT NULL,
    ledger            bigint NOT NULL,
    ledger_closed_at  timestamptz NOT NULL,
    transaction_hash  char(64) NOT NULL,
    -- the first topic, when it is a symbol (the event's name: `purchased`, `transfer`, …)
    name              varchar(32),
    -- as the RPC serves them: base64 XDR ScVal
    topics_xdr        text[] NOT NULL,
    value_xdr         text NOT NULL,
    -- the same, decoded (stellar-xdr's JSON form of ScVal)
    topics            jsonb NOT NULL,
    value             jsonb NOT NULL,
    -- applied: the mirror changed; ignored: nothing to mirror; parked: see parked_events
    outcome           varchar(10) NOT NULL,
    applied_at        timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chain_events_pkey PRIMARY KEY (network, event_id),
    CONSTRAINT chain_events_network_check CHECK (network IN ('local', 'testnet', 'futurenet', 'mainnet')),
    CONSTRAINT chain_events_event_id_format CHECK (event_id ~ '^[0-9]{19}-[0-9]{10}$'),
    CONSTRAINT chain_events_ledger_matches_id CHECK (ledger = (split_part(event_id, '-', 1)::bigint >> 32)),
    CONSTRAINT chain_events_contract_address_format CHECK (contract_address ~ '^C[A-Z2-7]{55}$'),
    CONSTRAINT chain_events_ledger_check CHECK (ledger > 0),
    CONSTRAINT chain_events_transaction_hash_format CHECK (transaction_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT chain_events_topics_array CHECK (jsonb_typeof(topics) = 'array'),
    CONSTRAINT chain_events_outcome_check CHECK (outcome IN ('applied', 'ignored', 'parked')),
    CONSTRAINT chain_events_applied_at_check CHECK ((outcome = 'parked') = (applied_at IS NULL))
);

CREATE INDEX idx_chain_events_contract_ledger ON chain_events (smart_contract_id, ledger);
CREATE INDEX idx_chain_events_transaction_hash ON chain_events (transaction_hash);
CREATE INDEX idx_chain_events_name ON chain_events (name, ledger);

-- What the chain said never changes: only the outcome may (a parked event applied later).
CREATE FUNCTION chain_events_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF ROW(NEW.network, NEW.event_id, NEW.smart_contract_id, NEW.contract_address, NEW.ledger,
           NEW.ledger_closed_at, NEW.transaction_hash, NEW.name, NEW.topics_xdr, NEW.value_xdr,
           NEW.topics, NEW.value, NEW.created_at)
       IS DISTINCT FROM
       ROW(OLD.network, OLD.event_id, OLD.smart_contract_id, OLD.contract_address, OLD.ledger,
           OLD.ledger_closed_at, OLD.transaction_hash, OLD.name, OLD.topics_xdr, OLD.value_xdr,
           OLD.topics, OLD.value, OLD.created_at) THEN
        RAISE EXCEPTION 'chain event %/% is immutable: only outcome and applied_at may change',
            OLD.network, OLD.event_id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'chain_events_immutable',
                  TABLE = 'chain_events';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_chain_events_immutable BEFORE UPDATE ON chain_events
    FOR EACH ROW EXECUTE FUNCTION chain_events_immutable();

-- ------------------------------------------------------------------ parked_events
CREATE TABLE parked_events (
    network          varchar(20) NOT NULL,
    event_id         varchar(30) NOT NULL,
    -- what the event is about, e.g. 'event:<uuid>', 'ticket:<C…>:<token>', 'organizer:<G…>';
    -- a later event on a subject with an open parked event waits behind it
    subject          varchar(200) NOT NULL,
    reason_code      varchar(30) NOT NULL,
    reason           text NOT NULL,
    attempts         integer NOT NULL DEFAULT 1,
    first_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at      timestamptz,
    CONSTRAINT parked_events_pkey PRIMARY KEY (network, event_id),
    CONSTRAINT parked_events_chain_event_fkey FOREIGN KEY (network, event_id)
        REFERENCES chain_events (network, event_id) ON DELETE CASCADE,
    CONSTRAINT parked_events_reason_code_check CHECK (reason_code IN (
        'unknown_topic', 'malformed', 'unknown_event', 'unknown_ticket', 'unknown_organizer',
        'unknown_contribution', 'mismatch', 'refused', 'waiting')),
    CONSTRAINT parked_events_attempts_check CHECK (attempts >= 1),
    CONSTRAINT parked_events_attempt_order_check CHECK (last_attempt_at >= first_attempt_at),
    CONSTRAINT parked_events_resolved_check CHECK (resolved_at IS NULL OR resolved_at >= first_attempt_at)
);

CREATE INDEX idx_parked_events_open_subject ON parked_events (network, subject) WHERE resolved_at IS NULL;
CREATE INDEX idx_parked_events_open ON parked_events (network, event_id) WHERE resolved_at IS NULL;

-- ------------------------------------------------------------------ organizers
ALTER TABLE organizers
    ADD COLUMN stellar_address     varchar(69),
    ADD COLUMN verification_ledger bigint,
    ADD CONSTRAINT organizers_stellar_address_format CHECK (is_stellar_address(stellar_address)),
    ADD CONSTRAINT organizers_verification_ledger_check CHECK (verification_ledger > 0);
COMMENT ON COLUMN organizers.stellar_address IS
    'The address ticketing verified or revoked (written by passa sync).';

-- ------------------------------------------------------------------ events
ALTER TABLE events
    ADD COLUMN organizer_address     varchar(69),
    ADD COLUMN payment_token_address varchar(56),
    ADD COLUMN onchain_status        varchar(20),
    ADD COLUMN onchain_ledger        bigint,
    ADD COLUMN tiers                 jsonb,
    ADD COLUMN sales_start_at        timestamptz,
    ADD COLUMN sales_end_at          timestamptz,
    ADD COLUMN refund_deadline       timestamptz,
    ADD COLUMN gross_sales_raw       numeric(39,0) NOT NULL DEFAULT 0,
    ADD COLUMN royalties_raw         numeric(39,0) NOT NULL DEFAULT 0,
    ADD COLUMN refunds_raw           numeric(39,0) NOT NULL DEFAULT 0,
    ADD COLUMN commissions_raw       numeric(39,0) NOT NULL DEFAULT 0,
    ADD CONSTRAINT events_organizer_address_format CHECK (is_stellar_address(organizer_address)),
    ADD CONSTRAINT events_payment_token_address_format CHECK (payment_token_address ~ '^C[A-Z2-7]{55}$'),
    ADD CONSTRAINT events_onchain_status_check CHECK (onchain_status IN ('published', 'postponed', 'cancelled')),
    ADD CONSTRAINT events_onchain_check CHECK (onchain_status IS NULL OR (
        smart_contract_id IS NOT NULL AND organizer_address IS NOT NULL
        AND payment_token_address IS NOT NULL AND onchain_ledger > 0 AND tiers IS NOT NULL)),
    ADD CONSTRAINT events_tiers_array CHECK (jsonb_typeof(tiers) = 'array'),
    ADD CONSTRAINT events_sales_window_check CHECK (sales_end_at > sales_start_at),
    ADD CONSTRAINT events_chain_totals_check CHECK (
        gross_sales_raw >= 0 AND royalties_raw >= 0 AND refunds_raw >= 0 AND commissions_raw >= 0);
COMMENT ON COLUMN events.tiers IS
    'On-chain tiers in order (index = tier): [{"code", "price_raw", "supply", "max_per_wallet"}].';
COMMENT ON COLUMN events.onchain_status IS
    'Stored status on chain; completed is derived from end_datetime as the contract does.';

-- ------------------------------------------------------------------ tickets
ALTER TABLE tickets
    ADD COLUMN owner_address       varchar(69),
    ADD COLUMN tier_index          integer,
    ADD COLUMN price_raw           numeric(39,0),
    ADD COLUMN current_price_raw   numeric(39,0),
    ADD COLUMN listed_price_raw    numeric(39,0),
    ADD COLUMN listed_until_ledger bigint,
    ADD COLUMN referrer_address    varchar(69),
    ADD COLUMN commission_raw      numeric(39,0),
    ADD CONSTRAINT tickets_owner_address_format CHECK (is_stellar_address(owner_address)),
    ADD CONSTRAINT tickets_referrer_address_format CHECK (is_stellar_address(referrer_address)),
    ADD CONSTRAINT tickets_tier_index_check CHECK (tier_index >= 0),
    ADD CONSTRAINT tickets_raw_amounts_check CHECK (
        price_raw >= 0 AND current_price_raw >= 0 AND listed_price_raw >= 0 AND commission_raw >= 0),
    ADD CONSTRAINT tickets_listing_check CHECK ((listed_price_raw IS NULL) = (listed_until_ledger IS NULL));
CREATE INDEX idx_tickets_owner_address ON tickets (owner_address) WHERE owner_address IS NOT NULL;

-- ------------------------------------------------------------------ ticket_transfers
CREATE TABLE ticket_transfers (
    transfer_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    ticket_id        uuid NOT NULL REFERENCES tickets (ticket_id) ON DELETE CASCADE,
    network          varchar(20) NOT NULL,
    chain_event_id   varchar(30) NOT NULL,
    from_address     varchar(69) NOT NULL,
    to_address       varchar(69) NOT NULL,
    from_user_id     uuid REFERENCES users (user_id) ON DELETE SET NULL,
    to_user_id       uuid REFERENCES users (user_id) ON DELETE SET NULL,
    -- resale price and royalty, raw units; NULL for a plain transfer
    price_raw        numeric(39,0),
    royalty_raw      numeric(39,0),
    transaction_hash char(64) NOT NULL,
    ledger           bigint NOT NULL,
    transferred_at   timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ticket_transfers_chain_event_key UNIQUE (network, chain_event_id),
    CONSTRAINT ticket_transfers_chain_event_fkey FOREIGN KEY (network, chain_event_id)
        REFERENCES chain_events (network, event_id) ON DELETE RESTRICT,
    CONSTRAINT ticket_transfers_from_address_format CHECK (is_stellar_address(from_address)),
    CONSTRAINT ticket_transfers_to_address_format CHECK (is_stellar_address(to_address)),
    CONSTRAINT ticket_transfers_amounts_check CHECK (price_raw >= 0 AND royalty_raw >= 0 AND royalty_raw <= price_raw),
    CONSTRAINT ticket_transfers_transaction_hash_format CHECK (transaction_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT ticket_transfers_ledger_check CHECK (ledger > 0)
);

CREATE INDEX idx_ticket_transfers_ticket ON ticket_transfers (ticket_id, ledger);
CREATE INDEX idx_ticket_transfers_transaction_hash ON ticket_transfers (transaction_hash);
CREATE INDEX idx_ticket_transfers_from_user_id ON ticket_transfers (from_user_id);
CREATE INDEX idx_ticket_transfers_to_user_id ON ticket_transfers (to_user_id);

-- ------------------------------------------------------------------ attribution
ALTER TABLE attribution
    ADD COLUMN contributor_address varchar(69),
    ADD COLUMN share_bps           integer,
    ADD COLUMN fixed_amount_raw    numeric(39,0),
    ADD COLUMN amount_earned_raw   numeric(39,0) NOT NULL DEFAULT 0,
    ADD COLUMN amount_paid_raw     numeric(39,0) NOT NULL DEFAULT 0,
    ADD COLUMN proposed_by_address varchar(69),
    ADD COLUMN approved_by_address varchar(69),
    ADD COLUMN rejected_by_address varchar(69),
    ADD CONSTRAINT attribution_contributor_address_format CHECK (is_stellar_address(contributor_address)),
    ADD CONSTRAINT attribution_proposed_by_address_format CHECK (is_stellar_address(proposed_by_address)),
    ADD CONSTRAINT attribution_approved_by_address_format CHECK (is_stellar_address(approved_by_address)),
    ADD CONSTRAINT attribution_rejected_by_address_format CHECK (is_stellar_address(rejected_by_address)),
    ADD CONSTRAINT attribution_share_bps_range CHECK (share_bps BETWEEN 0 AND 10000),
    -- percentage_share is bps / 10 000 exactly
    ADD CONSTRAINT attribution_share_bps_matches CHECK (
        share_bps IS NULL OR share_type = 'fixed' OR percentage_share * 10000 = share_bps),
    ADD CONSTRAINT attribution_raw_amounts_check CHECK (
        fixed_amount_raw >= 0 AND amount_earned_raw >= 0 AND amount_paid_raw >= 0
        AND amount_paid_raw <= amount_earned_raw);
-- on chain, one contribution per contributor per event
CREATE UNIQUE INDEX uq_attribution_event_contributor ON attribution (event_id, contributor_address)
    WHERE contributor_address IS NOT NULL;
CREATE INDEX idx_attribution_contributor_address ON attribution (contributor_address)
    WHERE contributor_address IS NOT NULL;
