-- 0006 organizers: users who run events. Business and verification data; the platform admin
-- verifies an organizer before any of their events can be published (rule enforced on events).
CREATE TABLE organizers (
    user_id                      uuid PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    company_name                 varchar(200),
    business_type                varchar(30) NOT NULL DEFAULT 'individual',
    business_registration_number varchar(100),
    tax_id                       varchar(50),
    business_email               varchar(255),
    business_phone               varchar(20),
    website_url                  text,
    address_line                 varchar(255),
    city                         varchar(100),
    country_code                 char(2),
    description                  text,
    is_verified                  boolean NOT NULL DEFAULT false,
    verified_at                  timestamptz,
    verified_by                  uuid REFERENCES users (user_id) ON DELETE SET NULL,
    -- [{"type": "business_registration", "url": "…", "uploaded_at": "…"}, …]
    verification_documents       jsonb NOT NULL DEFAULT '[]',
    verification_notes           text,
    total_events_hosted          integer NOT NULL DEFAULT 0,
    rating                       numeric(3,2),
    created_at                   timestamptz NOT NULL DEFAULT now(),
    updated_at                   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizers_business_type_check CHECK (business_type IN ('individual', 'sole_proprietorship', 'partnership', 'company', 'non_profit', 'government')),
    CONSTRAINT organizers_business_email_format CHECK (business_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    CONSTRAINT organizers_country_code_check CHECK (country_code ~ '^[A-Z]{2}$'),
    CONSTRAINT organizers_verified_at_check CHECK (NOT is_verified OR verified_at IS NOT NULL),
    CONSTRAINT organizers_verification_documents_array CHECK (jsonb_typeof(verification_documents) = 'array'),
    CONSTRAINT organizers_total_events_hosted_check CHECK (total_events_hosted >= 0),
    CONSTRAINT organizers_rating_check CHECK (rating BETWEEN 0 AND 5)
);

CREATE INDEX idx_organizers_verified ON organizers (is_verified);
CREATE INDEX idx_organizers_verified_by ON organizers (verified_by);

CREATE TRIGGER trg_organizers_updated_at BEFORE UPDATE ON organizers
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

COMMENT ON COLUMN organizers.tax_id IS 'Sensitive: kept out of users; expose only to the organizer and admins.';
