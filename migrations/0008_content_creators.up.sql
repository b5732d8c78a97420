-- 0008 content_creators: creators who promote events, with portfolio and rates.
CREATE TABLE content_creators (
    user_id            uuid PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    display_name       varchar(100),
    content_types      text[] NOT NULL DEFAULT '{}',
    specialties        text[] NOT NULL DEFAULT '{}',
    -- {"instagram_post": "5000", "tiktok_video": "8000", …} in rate_currency
    rates              jsonb NOT NULL DEFAULT '{}',
    rate_currency      varchar(12) NOT NULL DEFAULT 'KES',
    portfolio_url      text,
    -- {"tiktok": {"handle": "…", "followers": 120000}, …}
    platforms          jsonb NOT NULL DEFAULT '{}',
    follower_count     integer NOT NULL DEFAULT 0,
    completed_projects integer NOT NULL DEFAULT 0,
    rating             numeric(3,2),
    is_verified        boolean NOT NULL DEFAULT false,
    verified_at        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT content_creators_rates_object CHECK (jsonb_typeof(rates) = 'object'),
    CONSTRAINT content_creators_platforms_object CHECK (jsonb_typeof(platforms) = 'object'),
    CONSTRAINT content_creators_follower_count_check CHECK (follower_count >= 0),
    CONSTRAINT content_creators_completed_projects_check CHECK (completed_projects >= 0),
    CONSTRAINT content_creators_rating_check CHECK (rating BETWEEN 0 AND 5),
    CONSTRAINT content_creators_verified_at_check CHECK (NOT is_verified OR verified_at IS NOT NULL)
);

CREATE INDEX idx_content_creators_content_types ON content_creators USING gin (content_types);

CREATE TRIGGER trg_content_creators_updated_at BEFORE UPDATE ON content_creators
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
