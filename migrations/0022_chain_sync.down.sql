DROP INDEX idx_attribution_contributor_address;
DROP INDEX uq_attribution_event_contributor;
ALTER TABLE attribution
    DROP COLUMN contributor_address,
    DROP COLUMN share_bps,
    DROP COLUMN fixed_amount_raw,
    DROP COLUMN amount_earned_raw,
    DROP COLUMN amount_paid_raw,
    DROP COLUMN proposed_by_address,
    DROP COLUMN approved_by_address,
    DROP COLUMN rejected_by_address;

DROP TABLE ticket_transfers;

DROP INDEX idx_tickets_owner_address;
ALTER TABLE tickets
    DROP COLUMN owner_address,
    DROP COLUMN tier_index,
    DROP COLUMN price_raw,
    DROP COLUMN current_price_raw,
    DROP COLUMN listed_price_raw,
    DROP COLUMN listed_until_ledger,
    DROP COLUMN referrer_address,
    DROP COLUMN commission_raw;

ALTER TABLE events
    DROP COLUMN organizer_address,
    DROP COLUMN payment_token_address,
    DROP COLUMN onchain_status,
    DROP COLUMN onchain_ledger,
    DROP COLUMN tiers,
    DROP COLUMN sales_start_at,
    DROP COLUMN sales_end_at,
    DROP COLUMN refund_deadline,
    DROP COLUMN gross_sales_raw,
    DROP COLUMN royalties_raw,
    DROP COLUMN refunds_raw,
    DROP COLUMN commissions_raw;

ALTER TABLE organizers
    DROP COLUMN stellar_address,
    DROP COLUMN verification_ledger;

DROP TABLE parked_events;
DROP TABLE chain_events;
DROP FUNCTION chain_events_immutable();
DROP TABLE sync_cursors;
DROP FUNCTION sync_cursors_forward_only();
