-- 0020 permissions: the granular permissions roles grant, named `resource.action`
-- (e.g. 'events.create'), each at a scope: own (the user's own records), organization, all.
CREATE TABLE permissions (
    permission_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    permission_name varchar(100) NOT NULL,
    resource        varchar(50) GENERATED ALWAYS AS (split_part(permission_name, '.', 1)) STORED,
    action          varchar(50) GENERATED ALWAYS AS (split_part(permission_name, '.', 2)) STORED,
    scope           varchar(20) NOT NULL DEFAULT 'own',
    description     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT permissions_name_scope_key UNIQUE (permission_name, scope),
    CONSTRAINT permissions_name_format CHECK (permission_name ~ '^[a-z][a-z_]*\.[a-z][a-z_]*$'),
    CONSTRAINT permissions_scope_check CHECK (scope IN ('own', 'organization', 'all'))
);

CREATE INDEX idx_permissions_resource ON permissions (resource);

CREATE TRIGGER trg_permissions_updated_at BEFORE UPDATE ON permissions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
