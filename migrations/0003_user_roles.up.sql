-- 0003 user_roles: role-based access control. A role carries a JSON array of permission
-- strings in `resource.action` form (defined in `permissions`, migration 0020).
CREATE TABLE user_roles (
    role_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    role_name    varchar(50) NOT NULL,
    display_name varchar(100),
    description  text,
    permissions  jsonb NOT NULL DEFAULT '[]',
    -- system roles (admin, organizer, artist, content_creator, sponsor, fan) come from the seed.
    is_system    boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_roles_role_name_key UNIQUE (role_name),
    CONSTRAINT user_roles_role_name_format CHECK (role_name ~ '^[a-z][a-z_]{1,49}$'),
    CONSTRAINT user_roles_permissions_array CHECK (jsonb_typeof(permissions) = 'array')
);

COMMENT ON COLUMN user_roles.permissions IS
    'JSON array of permission strings "resource.action:scope", each naming a row of permissions (0020).';

CREATE TRIGGER trg_user_roles_updated_at BEFORE UPDATE ON user_roles
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
