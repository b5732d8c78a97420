-- 0013 event_tags: free-form attributes of events; usage_count is kept by 0014's trigger.
CREATE TABLE event_tags (
    tag_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        varchar(50) NOT NULL,
    slug        varchar(50) NOT NULL,
    usage_count integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_tags_name_key UNIQUE (name),
    CONSTRAINT event_tags_slug_key UNIQUE (slug),
    CONSTRAINT event_tags_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT event_tags_usage_count_check CHECK (usage_count >= 0)
);

CREATE INDEX idx_event_tags_usage_count ON event_tags (usage_count DESC);

CREATE TRIGGER trg_event_tags_updated_at BEFORE UPDATE ON event_tags
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
