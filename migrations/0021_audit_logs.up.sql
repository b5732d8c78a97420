-- 0021 audit_logs: the append-only trail of every change, from the web backend and from the
-- chain mirror (transaction hash and ledger). Range-partitioned by month on created_at so old
-- months can be archived by detaching a partition; a default partition catches anything outside
-- the prepared months, and create_audit_log_partitions() prepares upcoming ones.
-- user_id deliberately has no foreign key: the trail must keep who acted after the user is gone.
CREATE TABLE audit_logs (
    log_id           uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id          uuid,
    action           varchar(50) NOT NULL,
    resource_type    varchar(50) NOT NULL,
    resource_id      varchar(128),
    old_values       jsonb,
    new_values       jsonb,
    ip_address       inet,
    user_agent       text,
    transaction_hash char(64),
    ledger           bigint,
    metadata         jsonb NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_logs_pkey PRIMARY KEY (log_id, created_at),
    CONSTRAINT audit_logs_action_format CHECK (action ~ '^[a-z][a-z0-9_.]*$'),
    CONSTRAINT audit_logs_transaction_hash_format CHECK (transaction_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT audit_logs_ledger_check CHECK (ledger > 0),
    CONSTRAINT audit_logs_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
) PARTITION BY RANGE (created_at);

CREATE TABLE audit_logs_default PARTITION OF audit_logs DEFAULT;

CREATE INDEX idx_audit_logs_user_id ON audit_logs (user_id, created_at);
CREATE INDEX idx_audit_logs_resource ON audit_logs (resource_type, resource_id, created_at);
CREATE INDEX idx_audit_logs_action ON audit_logs (action, created_at);
CREATE INDEX idx_audit_logs_created_at ON audit_logs (created_at);
CREATE INDEX idx_audit_logs_transaction_hash ON audit_logs (transaction_hash) WHERE transaction_hash IS NOT NULL;

-- The trail is append-only. Only create_audit_log_partitions() may move rows (out of the
-- default partition into a new month), and it says so with a transaction-local setting.
CREATE FUNCTION audit_logs_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('passa.audit_partition_maintenance', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_logs is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege', TABLE = 'audit_logs';
END;
$$;

CREATE TRIGGER trg_audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();

-- Creates the monthly partitions audit_logs_yYYYYmMM for `months` months from the month of
-- `from_month`, skipping those that exist. Rows already sitting in the default partition for a
-- new month are moved into it. Returns how many partitions were created. Run it from a monthly
-- job (e.g. `SELECT create_audit_log_partitions(now()::date, 3)`).
CREATE FUNCTION create_audit_log_partitions(from_month date, months integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    month_start date := date_trunc('month', from_month)::date;
    month_end   date;
    part_name   text;
    created     integer := 0;
BEGIN
    IF months IS NULL OR months < 1 OR months > 120 THEN
        RAISE EXCEPTION 'months must be between 1 and 120, got %', months
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR i IN 1..months LOOP
        month_end := (month_start + interval '1 month')::date;
        part_name := format('audit_logs_y%sm%s', to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
        IF to_regclass(part_name) IS NULL THEN
            PERFORM set_config('passa.audit_partition_maintenance', 'on', true);
            CREATE TEMP TABLE audit_logs_moving (LIKE audit_logs) ON COMMIT DROP;
            WITH moved AS (
                DELETE FROM audit_logs_default
                 WHERE created_at >= month_start AND created_at < month_end
                RETURNING *
            )
            INSERT INTO audit_logs_moving SELECT * FROM moved;
            EXECUTE format('CREATE TABLE %I PARTITION OF audit_logs FOR VALUES FROM (%L) TO (%L)',
                           part_name, month_start::timestamptz, month_end::timestamptz);
            INSERT INTO audit_logs SELECT * FROM audit_logs_moving;
            DROP TABLE audit_logs_moving;
            PERFORM set_config('passa.audit_partition_maintenance', 'off', true);
            created := created + 1;
        END IF;
        month_start := month_end;
    END LOOP;
    RETURN created;
END;
$$;

-- the previous month (late writes), this one and the next eleven
SELECT create_audit_log_partitions((now() - interval '1 month')::date, 13);
