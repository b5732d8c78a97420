-- 0011 event_categories: a category tree (parent_category_id) for browsing events.
CREATE TABLE event_categories (
    category_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    parent_category_id uuid REFERENCES event_categories (category_id) ON DELETE RESTRICT,
    name               varchar(100) NOT NULL,
    slug               varchar(100) NOT NULL,
    description        text,
    icon_url           text,
    color_hex          char(7),
    sort_order         integer NOT NULL DEFAULT 0,
    is_active          boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_categories_slug_key UNIQUE (slug),
    CONSTRAINT event_categories_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT event_categories_color_hex_format CHECK (color_hex ~ '^#[0-9A-Fa-f]{6}$'),
    CONSTRAINT event_categories_not_own_parent CHECK (parent_category_id <> category_id)
);

CREATE INDEX idx_event_categories_parent ON event_categories (parent_category_id, sort_order);

-- A category may not become its own ancestor: walk up from the new parent.
CREATE FUNCTION event_categories_prevent_cycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_category_id IS NOT NULL AND EXISTS (
        WITH RECURSIVE ancestors(category_id, parent_category_id) AS (
            SELECT category_id, parent_category_id FROM event_categories
             WHERE category_id = NEW.parent_category_id
            UNION
            SELECT c.category_id, c.parent_category_id
              FROM event_categories c JOIN ancestors a ON c.category_id = a.parent_category_id
        )
        SELECT 1 FROM ancestors WHERE category_id = NEW.category_id
    ) THEN
        RAISE EXCEPTION 'category % cannot be placed under its own descendant %',
            NEW.category_id, NEW.parent_category_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_categories_no_cycle',
                  TABLE = 'event_categories';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_event_categories_no_cycle BEFORE INSERT OR UPDATE OF parent_category_id ON event_categories
    FOR EACH ROW EXECUTE FUNCTION event_categories_prevent_cycle();
CREATE TRIGGER trg_event_categories_updated_at BEFORE UPDATE ON event_categories
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
