-- 0002 user_profiles: public profile, social links and preferences (1:1 with users).
CREATE TABLE user_profiles (
    profile_id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                   uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    display_name              varchar(100),
    bio                       text,
    avatar_url                text,
    cover_image_url           text,
    date_of_birth             date,
    gender                    varchar(30),
    country_code              char(2),
    city                      varchar(100),
    timezone                  varchar(64) NOT NULL DEFAULT 'Africa/Nairobi',
    preferred_language        varchar(10) NOT NULL DEFAULT 'en',
    preferred_currency        varchar(12) NOT NULL DEFAULT 'KES',
    website_url               text,
    -- {"twitter": "…", "instagram": "…", "tiktok": "…", "youtube": "…", …}
    social_links              jsonb NOT NULL DEFAULT '{}',
    notification_preferences  jsonb NOT NULL DEFAULT '{}',
    privacy_settings          jsonb NOT NULL DEFAULT '{}',
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_profiles_user_id_key UNIQUE (user_id),
    CONSTRAINT user_profiles_country_code_check CHECK (country_code ~ '^[A-Z]{2}$'),
    CONSTRAINT user_profiles_date_of_birth_check CHECK (date_of_birth > DATE '1900-01-01'),
    CONSTRAINT user_profiles_social_links_object CHECK (jsonb_typeof(social_links) = 'object'),
    CONSTRAINT user_profiles_notification_preferences_object CHECK (jsonb_typeof(notification_preferences) = 'object'),
    CONSTRAINT user_profiles_privacy_settings_object CHECK (jsonb_typeof(privacy_settings) = 'object')
);

CREATE TRIGGER trg_user_profiles_updated_at BEFORE UPDATE ON user_profiles
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
