-- 0009 sponsors: brands that fund events, with budget and targeting.
CREATE TABLE sponsors (
    user_id              uuid PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    brand_name           varchar(200) NOT NULL,
    industry             varchar(100),
    annual_budget        numeric(39,7),
    budget_currency      varchar(12) NOT NULL DEFAULT 'KES',
    -- {"age_range": [18, 35], "regions": ["KE-30"], "interests": ["music"]}
    target_demographics  jsonb NOT NULL DEFAULT '{}',
    sponsorship_types    text[] NOT NULL DEFAULT '{}',
    website_url          text,
    logo_url             text,
    contact_email        varchar(255),
    total_sponsorships   integer NOT NULL DEFAULT 0,
    is_verified          boolean NOT NULL DEFAULT false,
    verified_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sponsors_annual_budget_check CHECK (annual_budget >= 0),
    CONSTRAINT sponsors_target_demographics_object CHECK (jsonb_typeof(target_demographics) = 'object'),
    CONSTRAINT sponsors_contact_email_format CHECK (contact_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    CONSTRAINT sponsors_total_sponsorships_check CHECK (total_sponsorships >= 0),
    CONSTRAINT sponsors_verified_at_check CHECK (NOT is_verified OR verified_at IS NOT NULL)
);

CREATE INDEX idx_sponsors_industry ON sponsors (industry);

CREATE TRIGGER trg_sponsors_updated_at BEFORE UPDATE ON sponsors
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
