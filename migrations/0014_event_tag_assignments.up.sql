-- 0014 event_tag_assignments: events ↔ tags (N:N), one row per pair.
CREATE TABLE event_tag_assignments (
    assignment_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id      uuid NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
    tag_id        uuid NOT NULL REFERENCES event_tags (tag_id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_tag_assignments_event_tag_key UNIQUE (event_id, tag_id)
);

CREATE INDEX idx_event_tag_assignments_tag_id ON event_tag_assignments (tag_id);

-- event_tags.usage_count follows the assignments (popularity without a COUNT(*) per read).
CREATE FUNCTION event_tags_count_usage() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE event_tags SET usage_count = usage_count - 1 WHERE tag_id = OLD.tag_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE event_tags SET usage_count = usage_count + 1 WHERE tag_id = NEW.tag_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_event_tag_assignments_usage AFTER INSERT OR DELETE OR UPDATE OF tag_id ON event_tag_assignments
    FOR EACH ROW EXECUTE FUNCTION event_tags_count_usage();
