-- 0001 users: the supertype every platform account shares.
-- Also defines the helpers every later table uses (updated_at trigger, Stellar strkey check).

-- created_at is fixed at insert; updated_at follows every update, whatever the client sends.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.created_at := OLD.created_at;
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- Stellar strkeys: G… accounts, C… contracts (56 base32 chars) and M… muxed accounts (69).
-- The checksum is verified by the off-chain code on the way in; this keeps malformed text out.
CREATE FUNCTION is_stellar_address(addr text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT addr ~ '^[GC][A-Z2-7]{55}$' OR addr ~ '^M[A-Z2-7]{68}$'
$$;

CREATE TABLE users (
    user_id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username           varchar(50)  NOT NULL,
    email              varchar(255) NOT NULL,
    -- bcrypt only; NULL for accounts that sign in with a wallet alone.
    password_hash      varchar(60),
    first_name         varchar(100),
    last_name          varchar(100),
    phone_number       varchar(20),
    status             varchar(20)  NOT NULL DEFAULT 'active',
    email_verified     boolean      NOT NULL DEFAULT false,
    email_verified_at  timestamptz,
    phone_verified     boolean      NOT NULL DEFAULT false,
    last_login_at      timestamptz,
    is_deleted         boolean      NOT NULL DEFAULT false,
    deleted_at         timestamptz,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_username_format CHECK (username ~ '^[A-Za-z0-9_.-]{3,50}$'),
    CONSTRAINT users_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    CONSTRAINT users_password_hash_bcrypt CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$'),
    CONSTRAINT users_phone_format CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
    CONSTRAINT users_status_check CHECK (status IN ('active', 'inactive', 'suspended', 'banned', 'pending_verification')),
    CONSTRAINT users_email_verified_at_check CHECK (NOT email_verified OR email_verified_at IS NOT NULL),
    CONSTRAINT users_soft_delete_check CHECK (is_deleted = (deleted_at IS NOT NULL))
);

-- email and username are indexed by their unique constraints.
CREATE INDEX idx_users_status ON users (status) WHERE NOT is_deleted;
CREATE INDEX idx_users_created_at ON users (created_at);

CREATE TRIGGER trg_users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

COMMENT ON TABLE users IS 'Every platform account; role tables (organizers, artists, …) extend it 1:1. Soft-deleted.';
COMMENT ON COLUMN users.password_hash IS 'bcrypt hash ($2a/$2b/$2y); NULL for wallet-only accounts.';
