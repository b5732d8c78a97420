-- 0018 attribution: who contributed to an event and what share of its revenue they earn.
-- share_type says which share column holds the share: 'percentage' (of the event's net pool,
-- counted against the 100 % rule), 'fixed' (an amount), or 'commission' (a rate on the sales the
-- contributor referred; not a share of the pool, so not counted against 100 %).
-- payout_transaction_id's foreign key is added in 0019.
CREATE TABLE attribution (
    attribution_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id              uuid NOT NULL REFERENCES events (event_id) ON DELETE RESTRICT,
    user_id               uuid REFERENCES users (user_id) ON DELETE SET NULL,
    contribution_type     varchar(30) NOT NULL,
    description           text,
    share_type            varchar(12) NOT NULL DEFAULT 'percentage',
    percentage_share      numeric(5,4),
    fixed_amount          numeric(39,7),
    amount_earned         numeric(39,7) NOT NULL DEFAULT 0,
    amount_paid           numeric(39,7) NOT NULL DEFAULT 0,
    status                varchar(20) NOT NULL DEFAULT 'pending',
    proposed_by           uuid REFERENCES users (user_id) ON DELETE SET NULL,
    approved_at           timestamptz,
    approved_by           uuid REFERENCES users (user_id) ON DELETE SET NULL,
    rejected_at           timestamptz,
    rejection_reason      text,
    last_payout_at        timestamptz,
    payout_transaction_id uuid,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attribution_contribution_type_check CHECK (contribution_type IN (
        'artist_performance', 'content_creation', 'promotion', 'referral', 'sponsorship', 'organization', 'venue')),
    CONSTRAINT attribution_share_type_check CHECK (share_type IN ('percentage', 'fixed', 'commission')),
    CONSTRAINT attribution_percentage_share_range CHECK (percentage_share >= 0.0000 AND percentage_share <= 1.0000),
    CONSTRAINT attribution_fixed_amount_check CHECK (fixed_amount >= 0),
    CONSTRAINT attribution_share_columns_check CHECK (
        CASE share_type
            WHEN 'fixed' THEN fixed_amount IS NOT NULL AND percentage_share IS NULL
            ELSE percentage_share IS NOT NULL AND fixed_amount IS NULL
        END),
    CONSTRAINT attribution_amounts_check CHECK (amount_earned >= 0 AND amount_paid >= 0 AND amount_paid <= amount_earned),
    CONSTRAINT attribution_status_check CHECK (status IN ('pending', 'approved', 'rejected', 'paid')),
    CONSTRAINT attribution_approved_check CHECK (status NOT IN ('approved', 'paid') OR approved_at IS NOT NULL),
    CONSTRAINT attribution_rejected_check CHECK (status <> 'rejected' OR rejected_at IS NOT NULL),
    CONSTRAINT attribution_paid_check CHECK (status <> 'paid' OR (amount_paid = amount_earned AND last_payout_at IS NOT NULL))
);

CREATE INDEX idx_attribution_event_id ON attribution (event_id);
CREATE INDEX idx_attribution_user_id ON attribution (user_id);
CREATE INDEX idx_attribution_contribution_type ON attribution (contribution_type);
CREATE INDEX idx_attribution_status ON attribution (status);
CREATE INDEX idx_attribution_proposed_by ON attribution (proposed_by);
CREATE INDEX idx_attribution_approved_by ON attribution (approved_by);

CREATE TRIGGER trg_attribution_updated_at BEFORE UPDATE ON attribution
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Business rule: an event's attribution percentages cannot exceed 100 %. Every write adjusts
-- events.attribution_percentage_total (pending + approved + paid percentage shares) under a
-- lock on the event row, so two sessions writing the same event serialize: under READ
-- COMMITTED the second waits and sees the first's total; under REPEATABLE READ or
-- SERIALIZABLE it fails with a serialization error instead of exceeding the limit.
-- Running Σ of the event's counted percentage shares, kept only by the trigger below.
ALTER TABLE events
    ADD COLUMN attribution_percentage_total numeric(5,4) NOT NULL DEFAULT 0,
    ADD CONSTRAINT events_attribution_percentage_total_check CHECK (attribution_percentage_total BETWEEN 0 AND 1);
COMMENT ON COLUMN events.attribution_percentage_total IS
    'Σ of pending, approved and paid percentage attribution shares; maintained by trg_attribution_percentage_total.';

CREATE FUNCTION attribution_counted_share(status text, share_type text, share numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN share_type = 'percentage' AND status IN ('pending', 'approved', 'paid')
                THEN COALESCE(share, 0) ELSE 0 END
$$;

CREATE FUNCTION attribution_add_to_event_total(target_event uuid, delta numeric) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
BEGIN
    IF delta = 0 THEN
        RETURN;
    END IF;
    SELECT attribution_percentage_total INTO total
      FROM events WHERE event_id = target_event
       FOR NO KEY UPDATE;
    IF total + delta > 1 THEN
        RAISE EXCEPTION 'attribution percentages for event % would total %, above 100%%',
            target_event, total + delta
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'attribution_event_percentage_total_max',
                  TABLE = 'attribution';
    END IF;
    UPDATE events SET attribution_percentage_total = total + delta WHERE event_id = target_event;
END;
$$;

CREATE FUNCTION attribution_enforce_percentage_total() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_share numeric := 0;
    new_share numeric := 0;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_share := attribution_counted_share(OLD.status, OLD.share_type, OLD.percentage_share);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_share := attribution_counted_share(NEW.status, NEW.share_type, NEW.percentage_share);
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.event_id = NEW.event_id THEN
        PERFORM attribution_add_to_event_total(NEW.event_id, new_share - old_share);
    ELSE
        IF TG_OP <> 'INSERT' THEN
            PERFORM attribution_add_to_event_total(OLD.event_id, -old_share);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM attribution_add_to_event_total(NEW.event_id, new_share);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_attribution_percentage_total AFTER INSERT OR UPDATE OR DELETE ON attribution
    FOR EACH ROW EXECUTE FUNCTION attribution_enforce_percentage_total();
