ALTER TABLE sync_cursors
    DROP CONSTRAINT sync_cursors_anchor_ledger_check,
    DROP CONSTRAINT sync_cursors_anchor_hash_format,
    DROP CONSTRAINT sync_cursors_anchor_check,
    DROP COLUMN anchored_at,
    DROP COLUMN anchor_hash,
    DROP COLUMN anchor_ledger,
    DROP COLUMN network_passphrase;
