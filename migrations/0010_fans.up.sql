-- 0010 fans: attendees, with preferences and loyalty.
CREATE TABLE fans (
    user_id            uuid PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    favorite_genres    text[] NOT NULL DEFAULT '{}',
    interests          text[] NOT NULL DEFAULT '{}',
    max_ticket_budget  numeric(39,7),
    budget_currency    varchar(12) NOT NULL DEFAULT 'KES',
    preferred_city     varchar(100),
    loyalty_points     integer NOT NULL DEFAULT 0,
    loyalty_tier       varchar(20) NOT NULL DEFAULT 'bronze',
    events_attended    integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fans_max_ticket_budget_check CHECK (max_ticket_budget >= 0),
    CONSTRAINT fans_loyalty_points_check CHECK (loyalty_points >= 0),
    CONSTRAINT fans_loyalty_tier_check CHECK (loyalty_tier IN ('bronze', 'silver', 'gold', 'platinum')),
    CONSTRAINT fans_events_attended_check CHECK (events_attended >= 0)
);

CREATE INDEX idx_fans_loyalty_tier ON fans (loyalty_tier);
CREATE INDEX idx_fans_favorite_genres ON fans USING gin (favorite_genres);

CREATE TRIGGER trg_fans_updated_at BEFORE UPDATE ON fans
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
