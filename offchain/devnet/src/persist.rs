//! The node's state on disk, so that a devnet survives a restart: one file,
//! `DIR/devnet-state.bin`, rewritten whole and atomically (temporary file, fsync, rename) so
//! that a crash leaves either the old state or the new one. The node thread saves at most
//! every few seconds while things change, and at a clean stop (see [`crate::service`]).
//!
//! Layout: the magic `PASSADN1`, then length-prefixed XDR values and little-endian integers:
//! the passphrase and protocol, the closed headers, the entries with their TTLs, the applied
//! transactions and the events. The transaction queue is not saved: like a restarted
//! stellar-core, a restarted devnet has an empty queue.
use std::{
    io::Write,
    path::{Path, PathBuf},
};

use soroban_env_host::xdr::{
    ContractEvent, LedgerEntry, LedgerHeader, ReadXdr, TransactionEnvelope, TransactionMeta,
    TransactionResult, WriteXdr,
};

use crate::{
    error::{Error, Result, XdrContext},
    events::{EventId, StoredEvent},
    ledger::{ClosedLedger, EntryMap, Ledger, StoredEntry, XDR_LIMITS},
    node::{Node, TxRecord},
};

const MAGIC: &[u8; 8] = b"PASSADN1";
const FILE: &str = "devnet-state.bin";

/// Where the state of `dir` lives.
pub fn state_file(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

struct Out(Vec<u8>);

impl Out {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    fn xdr<T: WriteXdr>(&mut self, v: &T, what: &'static str) -> Result<()> {
        let b = v.to_xdr(XDR_LIMITS).xdr(what)?;
        self.bytes(&b);
        Ok(())
    }
}

struct In<'a> {
    buf: &'a [u8],
    path: &'a Path,
}

impl<'a> In<'a> {
    fn corrupt(&self, message: &str) -> Error {
        Error::Corrupt {
            path: self.path.to_path_buf(),
            message: message.to_string(),
        }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.buf.len() < n {
            return Err(self.corrupt("truncated"));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let mut a = [0; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = usize::try_from(self.u64()?).map_err(|_| self.corrupt("length overflow"))?;
        self.take(n)
    }
    fn hash(&mut self) -> Result<[u8; 32]> {
        let b = self.take(32)?;
        let mut h = [0; 32];
        h.copy_from_slice(b);
        Ok(h)
    }
    fn xdr<T: ReadXdr>(&mut self, what: &'static str) -> Result<T> {
        let b = self.bytes()?;
        T::from_xdr(b, XDR_LIMITS).xdr(what)
    }
    fn count(&mut self) -> Result<usize> {
        usize::try_from(self.u64()?).map_err(|_| self.corrupt("count overflow"))
    }
}

/// Writes the node's state into `dir` (created if missing).
pub fn save(node: &Node, dir: &Path) -> Result<()> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut out = Out(MAGIC.to_vec());
    let ledger = &node.ledger;
    out.bytes(ledger.passphrase.as_bytes());
    out.u32(ledger.protocol_version);
    out.u64(ledger.headers().len() as u64);
    for h in ledger.headers() {
        out.0.extend_from_slice(&h.hash);
        out.xdr(&h.header, "saving a header")?;
    }
    {
        let entries = ledger.entries();
        out.u64(entries.len() as u64);
        for stored in entries.values() {
            out.xdr(&stored.entry, "saving an entry")?;
            out.u32(stored.live_until.map_or(0, |l| l.saturating_add(1)));
        }
    }
    let txs: Vec<&TxRecord> = node.transactions().collect();
    out.u64(txs.len() as u64);
    for t in txs {
        out.0.extend_from_slice(&t.hash);
        out.u32(t.ledger);
        out.u64(t.created_at);
        out.u32(t.application_order);
        out.u32(u32::from(t.success));
        out.xdr(&t.envelope, "saving an envelope")?;
        out.xdr(&t.result, "saving a result")?;
        out.xdr(&t.meta, "saving a meta")?;
    }
    let events = node.events.all();
    out.u64(events.len() as u64);
    for e in events {
        out.u32(e.id.ledger);
        out.u32(e.id.tx_order);
        out.u32(e.id.op_index);
        out.u32(e.id.event_index);
        out.0.extend_from_slice(&e.tx_hash);
        out.u64(e.ledger_close_time);
        out.u32(u32::from(e.in_successful_contract_call));
        out.xdr(&e.event, "saving an event")?;
    }
    let path = state_file(dir);
    let tmp = dir.join(format!("{FILE}.tmp"));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&out.0)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    };
    write().map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    tracing::debug!(path = %path.display(), bytes = out.0.len(), "devnet state saved");
    Ok(())
}

/// Reads the state saved in `dir`; `None` when there is none yet.
pub fn load(dir: &Path) -> Result<Option<Node>> {
    let path = state_file(dir);
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(Error::Io { path, source }),
    };
    let mut r = In {
        buf: &data,
        path: &path,
    };
    if r.take(MAGIC.len())? != MAGIC {
        return Err(r.corrupt("not a passa devnet state file (or another version)"));
    }
    let passphrase =
        String::from_utf8(r.bytes()?.to_vec()).map_err(|_| r.corrupt("passphrase is not UTF-8"))?;
    let protocol = r.u32()?;
    let mut headers = vec![];
    for _ in 0..r.count()? {
        let hash = r.hash()?;
        let header: LedgerHeader = r.xdr("loading a header")?;
        headers.push(ClosedLedger { hash, header });
    }
    let mut entries = EntryMap::new();
    for _ in 0..r.count()? {
        let entry: LedgerEntry = r.xdr("loading an entry")?;
        let live_until = r.u32()?.checked_sub(1);
        entries.insert(entry.to_key(), StoredEntry { entry, live_until });
    }
    let mut txs = vec![];
    for _ in 0..r.count()? {
        let hash = r.hash()?;
        let ledger = r.u32()?;
        let created_at = r.u64()?;
        let application_order = r.u32()?;
        let success = r.u32()? != 0;
        let envelope: TransactionEnvelope = r.xdr("loading an envelope")?;
        let result: TransactionResult = r.xdr("loading a result")?;
        let meta: TransactionMeta = r.xdr("loading a meta")?;
        txs.push(TxRecord {
            hash,
            ledger,
            created_at,
            application_order,
            envelope,
            result,
            meta,
            success,
        });
    }
    let mut events = vec![];
    for _ in 0..r.count()? {
        let id = EventId {
            ledger: r.u32()?,
            tx_order: r.u32()?,
            op_index: r.u32()?,
            event_index: r.u32()?,
        };
        let tx_hash = r.hash()?;
        let ledger_close_time = r.u64()?;
        let in_successful_contract_call = r.u32()? != 0;
        let event: ContractEvent = r.xdr("loading an event")?;
        events.push(StoredEvent {
            id,
            event,
            tx_hash,
            ledger_close_time,
            in_successful_contract_call,
        });
    }
    if !r.buf.is_empty() {
        return Err(r.corrupt("trailing bytes"));
    }
    let ledger = Ledger::from_parts(passphrase, protocol, entries, headers)?;
    Ok(Some(Node::from_parts(ledger, txs, events)))
}
