-- 0040 sync network identity: what the mirror knows of the chain it follows, so that a
-- network that was reset (Stellar's testnet is, from time to time) or rolled back is noticed
-- before anything is read from it, instead of mirroring another chain into the same rows.
--   * network_passphrase: the passphrase of the network the cursor belongs to;
--   * anchor_ledger, anchor_hash: a ledger the mirror has applied and its hash, recorded when
--     the mirror catches up; on the next start the RPC must give the same hash for it.
ALTER TABLE sync_cursors
    ADD COLUMN network_passphrase text,
    ADD COLUMN anchor_ledger      bigint,
    ADD COLUMN anchor_hash        char(64),
    ADD COLUMN anchored_at        timestamptz,
    ADD CONSTRAINT sync_cursors_anchor_check CHECK ((anchor_ledger IS NULL) = (anchor_hash IS NULL)),
    ADD CONSTRAINT sync_cursors_anchor_hash_format CHECK (is_sha256_hex(anchor_hash)),
    ADD CONSTRAINT sync_cursors_anchor_ledger_check CHECK (anchor_ledger > 0 AND anchor_ledger <= last_ledger);

COMMENT ON COLUMN sync_cursors.anchor_hash IS
    'Hash of ledger anchor_ledger as the RPC reported it when the mirror had applied it; a different hash later means another chain.';
