-- 0012 events: what organizers sell tickets for. Soft-deleted.
-- smart_contract_id's foreign key is added in 0019, once smart_contracts exists.
CREATE TABLE events (
    event_id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organizer_user_id            uuid NOT NULL REFERENCES organizers (user_id) ON DELETE RESTRICT,
    category_id                  uuid REFERENCES event_categories (category_id) ON DELETE SET NULL,
    smart_contract_id            uuid,
    title                        varchar(200) NOT NULL,
    slug                         varchar(220) NOT NULL,
    short_description            varchar(500),
    description                  text,
    event_type                   varchar(20) NOT NULL DEFAULT 'in_person',
    venue_name                   varchar(200),
    venue_address                varchar(500),
    city                         varchar(100),
    country_code                 char(2),
    latitude                     numeric(9,6),
    longitude                    numeric(9,6),
    virtual_url                  text,
    start_datetime               timestamptz NOT NULL,
    end_datetime                 timestamptz NOT NULL,
    timezone                     varchar(64) NOT NULL DEFAULT 'Africa/Nairobi',
    capacity                     integer,
    tickets_sold                 integer NOT NULL DEFAULT 0,
    currency                     varchar(12) NOT NULL DEFAULT 'XLM',
    min_ticket_price             numeric(39,7),
    max_ticket_price             numeric(39,7),
    age_restriction              smallint,
    cover_image_url              text,
    metadata_uri                 text,
    status                       varchar(20) NOT NULL DEFAULT 'draft',
    is_featured                  boolean NOT NULL DEFAULT false,
    published_at                 timestamptz,
    cancelled_at                 timestamptz,
    cancellation_reason          text,
    is_deleted                   boolean NOT NULL DEFAULT false,
    deleted_at                   timestamptz,
    created_at                   timestamptz NOT NULL DEFAULT now(),
    updated_at                   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_slug_key UNIQUE (slug),
    CONSTRAINT events_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT events_event_type_check CHECK (event_type IN ('in_person', 'virtual', 'hybrid')),
    CONSTRAINT events_status_check CHECK (status IN ('draft', 'published', 'cancelled', 'completed', 'postponed')),
    CONSTRAINT events_dates_check CHECK (end_datetime > start_datetime),
    CONSTRAINT events_capacity_check CHECK (capacity > 0),
    CONSTRAINT events_tickets_sold_check CHECK (tickets_sold >= 0 AND (capacity IS NULL OR tickets_sold <= capacity)),
    CONSTRAINT events_ticket_prices_check CHECK (min_ticket_price >= 0 AND max_ticket_price >= min_ticket_price),
    CONSTRAINT events_age_restriction_check CHECK (age_restriction BETWEEN 0 AND 99),
    CONSTRAINT events_country_code_check CHECK (country_code ~ '^[A-Z]{2}$'),
    CONSTRAINT events_coordinates_check CHECK (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180),
    CONSTRAINT events_virtual_url_check CHECK (event_type = 'in_person' OR virtual_url IS NOT NULL),
    CONSTRAINT events_published_at_check CHECK (status IN ('draft', 'cancelled') OR published_at IS NOT NULL),
    CONSTRAINT events_cancelled_at_check CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL),
    CONSTRAINT events_soft_delete_check CHECK (is_deleted = (deleted_at IS NOT NULL))
);

CREATE INDEX idx_events_organizer_user_id ON events (organizer_user_id);
CREATE INDEX idx_events_category_id ON events (category_id);
CREATE INDEX idx_events_status ON events (status) WHERE NOT is_deleted;
CREATE INDEX idx_events_start_datetime ON events (start_datetime) WHERE NOT is_deleted;
CREATE INDEX idx_events_location ON events (country_code, city) WHERE NOT is_deleted;
-- the public listing: published events by date
CREATE INDEX idx_events_published_upcoming ON events (start_datetime) WHERE status = 'published' AND NOT is_deleted;

-- Business rule: event publication requires organizer verification. An event leaves 'draft'
-- for a public status (published, postponed, completed) only if its organizer is verified at
-- that moment; the organizer row is locked so a concurrent revocation waits for us.
-- Also stamps published_at / cancelled_at when the status first gets there.
CREATE FUNCTION events_enforce_publication() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    verified boolean;
BEGIN
    IF NEW.status IN ('published', 'postponed', 'completed')
       AND (TG_OP = 'INSERT' OR OLD.status = 'draft'
            OR OLD.organizer_user_id IS DISTINCT FROM NEW.organizer_user_id) THEN
        SELECT o.is_verified INTO verified
          FROM organizers o WHERE o.user_id = NEW.organizer_user_id
           FOR SHARE;
        IF verified IS NOT TRUE THEN
            RAISE EXCEPTION 'event % cannot be published: organizer % is not verified',
                NEW.event_id, NEW.organizer_user_id
                USING ERRCODE = 'check_violation',
                      CONSTRAINT = 'events_publish_requires_verified_organizer',
                      TABLE = 'events';
        END IF;
        NEW.published_at := COALESCE(NEW.published_at, now());
    END IF;
    IF NEW.status = 'cancelled' THEN
        NEW.cancelled_at := COALESCE(NEW.cancelled_at, now());
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_events_enforce_publication BEFORE INSERT OR UPDATE OF status, organizer_user_id ON events
    FOR EACH ROW EXECUTE FUNCTION events_enforce_publication();
CREATE TRIGGER trg_events_updated_at BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
