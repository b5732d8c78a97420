-- 0004 user_role_assignments: which users hold which roles (N:N), optionally time-boxed.
CREATE TABLE user_role_assignments (
    assignment_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    role_id       uuid NOT NULL REFERENCES user_roles (role_id) ON DELETE RESTRICT,
    assigned_by   uuid REFERENCES users (user_id) ON DELETE SET NULL,
    assigned_at   timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    is_active     boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_role_assignments_user_role_key UNIQUE (user_id, role_id),
    CONSTRAINT user_role_assignments_expiry_check CHECK (expires_at IS NULL OR expires_at > assigned_at)
);

-- (user_id, role_id) is indexed by the unique constraint; role_id serves "who has role X".
CREATE INDEX idx_user_role_assignments_role_id ON user_role_assignments (role_id);
CREATE INDEX idx_user_role_assignments_assigned_by ON user_role_assignments (assigned_by);

CREATE TRIGGER trg_user_role_assignments_updated_at BEFORE UPDATE ON user_role_assignments
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
