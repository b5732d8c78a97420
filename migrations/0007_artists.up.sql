-- 0007 artists: performers, with genres, fees and performance metrics.
CREATE TABLE artists (
    user_id               uuid PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    stage_name            varchar(100) NOT NULL,
    genres                text[] NOT NULL DEFAULT '{}',
    bio                   text,
    -- [min, max] fee per performance in fee_currency
    performance_fee_range numrange,
    fee_currency          varchar(12) NOT NULL DEFAULT 'KES',
    record_label          varchar(100),
    booking_email         varchar(255),
    -- {"spotify": "…", "youtube": "…", "audiomack": "…", …}
    links                 jsonb NOT NULL DEFAULT '{}',
    follower_count        integer NOT NULL DEFAULT 0,
    rating                numeric(3,2),
    total_performances    integer NOT NULL DEFAULT 0,
    is_verified           boolean NOT NULL DEFAULT false,
    verified_at           timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT artists_performance_fee_range_check CHECK (lower(performance_fee_range) >= 0 AND NOT lower_inf(performance_fee_range)),
    CONSTRAINT artists_booking_email_format CHECK (booking_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    CONSTRAINT artists_links_object CHECK (jsonb_typeof(links) = 'object'),
    CONSTRAINT artists_follower_count_check CHECK (follower_count >= 0),
    CONSTRAINT artists_rating_check CHECK (rating BETWEEN 0 AND 5),
    CONSTRAINT artists_total_performances_check CHECK (total_performances >= 0),
    CONSTRAINT artists_verified_at_check CHECK (NOT is_verified OR verified_at IS NOT NULL)
);

CREATE INDEX idx_artists_stage_name ON artists (stage_name);
CREATE INDEX idx_artists_genres ON artists USING gin (genres);

CREATE TRIGGER trg_artists_updated_at BEFORE UPDATE ON artists
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
