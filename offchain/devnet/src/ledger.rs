//! The ledger: every live entry with its TTL, the chain of closed ledger headers, and the
//! network configuration read back from the `ConfigSetting` entries.
//!
//! Entries are kept with their `liveUntilLedgerSeq` next to them rather than as separate `Ttl`
//! entries; `Ttl` entries are synthesised when a client or the transaction meta needs them.
//! The map sits behind `Rc<RefCell<…>>` so that a [`Snapshot`] handed to the simulator can
//! read it without a copy; the whole ledger lives on the node's single thread.
use std::{
    cell::RefCell,
    collections::{BTreeMap, BTreeSet, VecDeque},
    rc::Rc,
};

use sha2::{Digest, Sha256};
use soroban_env_host::{
    budget::{AsBudget, Budget},
    storage::{EntryWithLiveUntil, SnapshotSource},
    xdr::{
        ConfigSettingEntry, ContractDataDurability, Hash, LedgerEntry, LedgerEntryData,
        LedgerEntryExt, LedgerHeader, LedgerHeaderExt, LedgerKey, LedgerKeyConfigSetting,
        LedgerKeyTtl, Limits, StellarValue, StellarValueExt, TimePoint, TtlEntry, WriteXdr,
    },
    CompilationContext, ErrorHandler, HostError, LedgerInfo, ModuleCache,
};
use soroban_simulation::NetworkConfig;

use crate::error::{Error, HostContext, Result, XdrContext};

/// Limits for decoding client input and our own state: deep enough for any contract value,
/// bounded in size.
pub const XDR_LIMITS: Limits = Limits {
    depth: 500,
    len: 16 * 1024 * 1024,
};

/// SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The network id: SHA-256 of the passphrase.
pub fn network_id(passphrase: &str) -> [u8; 32] {
    sha256(passphrase.as_bytes())
}

/// A live ledger entry and, for contract data and code, the last ledger it lives through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    pub entry: LedgerEntry,
    pub live_until: Option<u32>,
}

/// Whether an entry is temporary contract data.
pub fn is_temporary(key: &LedgerKey) -> bool {
    matches!(key, LedgerKey::ContractData(d) if d.durability == ContractDataDurability::Temporary)
}

/// Whether an entry is persistent Soroban state (persistent contract data or code), which
/// archives instead of disappearing when its TTL runs out.
pub fn is_persistent(key: &LedgerKey) -> bool {
    match key {
        LedgerKey::ContractData(d) => d.durability == ContractDataDurability::Persistent,
        LedgerKey::ContractCode(_) => true,
        _ => false,
    }
}

/// The `Ttl` key of a contract entry: the SHA-256 of its key's XDR.
pub fn ttl_key(key: &LedgerKey) -> Result<LedgerKey> {
    Ok(LedgerKey::Ttl(LedgerKeyTtl {
        key_hash: Hash(sha256(&key.to_xdr(XDR_LIMITS).xdr("encoding key")?)),
    }))
}

/// The `Ttl` entry that stellar-core would keep for a contract entry.
pub fn ttl_entry(key: &LedgerKey, live_until: u32, last_modified: u32) -> Result<LedgerEntry> {
    let LedgerKey::Ttl(LedgerKeyTtl { key_hash }) = ttl_key(key)? else {
        return Err(Error::State("ttl_key returned another kind of key".into()));
    };
    Ok(LedgerEntry {
        last_modified_ledger_seq: last_modified,
        data: LedgerEntryData::Ttl(TtlEntry {
            key_hash,
            live_until_ledger_seq: live_until,
        }),
        ext: LedgerEntryExt::V0,
    })
}

/// One closed ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedLedger {
    /// SHA-256 of the header's XDR.
    pub hash: [u8; 32],
    pub header: LedgerHeader,
}

impl ClosedLedger {
    pub fn sequence(&self) -> u32 {
        self.header.ledger_seq
    }
    /// Close time, Unix seconds.
    pub fn close_time(&self) -> u64 {
        self.header.scp_value.close_time.0
    }
}

/// The state map shared with snapshots.
pub type EntryMap = BTreeMap<LedgerKey, StoredEntry>;

/// A read-only view of the ledger as of the ledger being built (`sequence`): what the host
/// and the simulator read. Expired temporary entries are absent; archived persistent entries
/// are returned with their (past) TTL, so the host can report or restore them.
#[derive(Clone)]
pub struct Snapshot {
    entries: Rc<RefCell<EntryMap>>,
    sequence: u32,
}

impl Snapshot {
    /// The entry under `key` as this snapshot sees it.
    pub fn entry(&self, key: &LedgerKey) -> Option<StoredEntry> {
        let map = self.entries.borrow();
        let stored = map.get(key)?;
        if is_temporary(key) && stored.live_until.is_some_and(|l| l < self.sequence) {
            return None;
        }
        Some(stored.clone())
    }
}

impl SnapshotSource for Snapshot {
    fn get(&self, key: &Rc<LedgerKey>) -> Result<Option<EntryWithLiveUntil>, HostError> {
        Ok(self.entry(key).map(|s| (Rc::new(s.entry), s.live_until)))
    }
}

/// Budget and error context for compiling wasm into the module cache outside any host, as
/// stellar-core does.
#[derive(Clone)]
pub struct CompileContext(Budget);

impl CompileContext {
    /// An unmetered context: uploads were metered when they were applied.
    pub fn new(config: &NetworkConfig) -> Result<Self> {
        Ok(Self(
            Budget::try_from_configs(
                u64::MAX / 4,
                u64::MAX / 4,
                config.cpu_cost_params.clone(),
                config.memory_cost_params.clone(),
            )
            .host("building the compilation budget")?,
        ))
    }
}

impl ErrorHandler for CompileContext {
    fn map_err<T, E>(&self, res: std::result::Result<T, E>) -> std::result::Result<T, HostError>
    where
        soroban_env_host::Error: From<E>,
        E: std::fmt::Debug,
    {
        res.map_err(|e| HostError::from(soroban_env_host::Error::from(e)))
    }

    fn error(
        &self,
        error: soroban_env_host::Error,
        _msg: &str,
        _args: &[soroban_env_host::Val],
    ) -> HostError {
        HostError::from(error)
    }
}

impl AsBudget for CompileContext {
    fn as_budget(&self) -> &Budget {
        &self.0
    }
}

impl CompilationContext for CompileContext {}

/// The ledger state of the devnet.
pub struct Ledger {
    entries: Rc<RefCell<EntryMap>>,
    /// The keys of `entries` that are temporary: what eviction looks at on every close. A scan
    /// of every entry instead cost a quarter of the devnet's CPU with 200 000 entries.
    temporary: RefCell<BTreeSet<LedgerKey>>,
    /// Every closed ledger, oldest first (the RPC's retention window trims what it serves).
    headers: VecDeque<ClosedLedger>,
    pub passphrase: String,
    pub network_id: [u8; 32],
    pub protocol_version: u32,
    /// Loaded from the `ConfigSetting` entries (genesis or upgrades).
    pub config: NetworkConfig,
    /// Parsed wasm of every live contract code entry. Simulation assumes a cache hit for live
    /// code, as stellar-core keeps one; without it an apply costs about twice the simulated
    /// instructions and fails with ExceededLimit.
    pub modules: ModuleCache,
    compile: CompileContext,
}

impl Ledger {
    /// A ledger from its parts (genesis or a reload); checks that the configuration loads and
    /// compiles every contract code entry into the module cache.
    pub fn from_parts(
        passphrase: String,
        protocol_version: u32,
        entries: EntryMap,
        headers: Vec<ClosedLedger>,
    ) -> Result<Self> {
        if headers.is_empty() {
            return Err(Error::State(
                "a ledger needs at least its genesis header".into(),
            ));
        }
        let temporary = entries
            .keys()
            .filter(|k| is_temporary(k))
            .cloned()
            .collect();
        let entries = Rc::new(RefCell::new(entries));
        let probe = Snapshot {
            entries: entries.clone(),
            sequence: 0,
        };
        let config = NetworkConfig::load_from_snapshot(&probe).map_err(|e| Error::Simulation {
            what: "loading the network configuration",
            message: format!("{e:#}"),
        })?;
        let compile = CompileContext::new(&config)?;
        let modules = ModuleCache::new(&compile).host("creating the module cache")?;
        let ledger = Self {
            entries,
            temporary: RefCell::new(temporary),
            headers: headers.into(),
            network_id: network_id(&passphrase),
            passphrase,
            protocol_version,
            config,
            modules,
            compile,
        };
        let codes: Vec<Vec<u8>> = ledger
            .entries
            .borrow()
            .values()
            .filter_map(|s| match &s.entry.data {
                LedgerEntryData::ContractCode(c) => Some(c.code.to_vec()),
                _ => None,
            })
            .collect();
        for code in codes {
            ledger.cache_module(&code)?;
        }
        Ok(ledger)
    }

    /// Parses `wasm` into the module cache (a no-op when it is there already).
    pub fn cache_module(&self, wasm: &[u8]) -> Result<()> {
        self.modules
            .parse_and_cache_module_simple(&self.compile, self.protocol_version, wasm)
            .host("compiling contract code")
    }

    /// The last closed ledger.
    pub fn latest(&self) -> &ClosedLedger {
        // `from_parts` refuses an empty chain and headers are only ever appended.
        &self.headers[self.headers.len() - 1]
    }

    /// Closed ledgers kept (the retention window and a little more), oldest first.
    pub fn headers(&self) -> &VecDeque<ClosedLedger> {
        &self.headers
    }

    /// The oldest ledger kept.
    pub fn first(&self) -> &ClosedLedger {
        &self.headers[0]
    }

    /// Closed ledger `sequence`, if kept.
    pub fn header(&self, sequence: u32) -> Option<&ClosedLedger> {
        let index = sequence.checked_sub(self.first().sequence())?;
        self.headers.get(index as usize)
    }

    /// The sequence of the ledger being built (the next to close).
    pub fn next_sequence(&self) -> u32 {
        self.latest().sequence() + 1
    }

    /// What the host needs to know about the ledger being built, closing at `close_time`.
    pub fn ledger_info(&self, close_time: u64) -> LedgerInfo {
        let mut info = LedgerInfo {
            protocol_version: self.protocol_version,
            sequence_number: self.next_sequence(),
            timestamp: close_time,
            network_id: self.network_id,
            base_reserve: self.latest().header.base_reserve,
            ..Default::default()
        };
        self.config.fill_config_fields_in_ledger_info(&mut info);
        info
    }

    /// A snapshot for the ledger being built.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            entries: self.entries.clone(),
            sequence: self.next_sequence(),
        }
    }

    /// A snapshot as of ledger `sequence` (what was live then).
    pub fn snapshot_at(&self, sequence: u32) -> Snapshot {
        Snapshot {
            entries: self.entries.clone(),
            sequence,
        }
    }

    /// The entry under `key` as the ledger being built sees it (expired temporary entries are
    /// gone).
    pub fn get(&self, key: &LedgerKey) -> Option<StoredEntry> {
        self.snapshot().entry(key)
    }

    /// Writes an entry (and its TTL) as of the ledger being built.
    pub fn put(&self, mut entry: LedgerEntry, live_until: Option<u32>) -> Result<()> {
        entry.last_modified_ledger_seq = self.next_sequence();
        let key = entry.to_key();
        if is_temporary(&key) {
            self.temporary.borrow_mut().insert(key.clone());
        }
        self.entries
            .borrow_mut()
            .insert(key, StoredEntry { entry, live_until });
        Ok(())
    }

    /// Changes only the TTL of an entry (a TTL bump leaves the entry's own
    /// `lastModifiedLedgerSeq` alone, as in stellar-core where the `Ttl` entry changes).
    pub fn set_live_until(&self, key: &LedgerKey, live_until: u32) {
        if let Some(stored) = self.entries.borrow_mut().get_mut(key) {
            stored.live_until = Some(live_until);
        }
    }

    /// Puts back what `key` held before (an entry as it was, or nothing): undoes a failed
    /// transaction's writes.
    pub fn reset(&self, key: &LedgerKey, before: Option<StoredEntry>) {
        let mut map = self.entries.borrow_mut();
        match before {
            Some(stored) => {
                if is_temporary(key) {
                    self.temporary.borrow_mut().insert(key.clone());
                }
                map.insert(key.clone(), stored);
            }
            None => {
                self.temporary.borrow_mut().remove(key);
                map.remove(key);
            }
        };
    }

    /// Removes an entry.
    pub fn remove(&self, key: &LedgerKey) {
        self.temporary.borrow_mut().remove(key);
        self.entries.borrow_mut().remove(key);
    }

    /// Number of entries held (live, archived and not yet evicted).
    pub fn len(&self) -> usize {
        self.entries.borrow().len()
    }

    /// Whether the ledger holds no entries (never true after genesis).
    pub fn is_empty(&self) -> bool {
        self.entries.borrow().is_empty()
    }

    /// A copy of every entry, for persistence.
    pub fn entries(&self) -> std::cell::Ref<'_, EntryMap> {
        self.entries.borrow()
    }

    /// Looks a `Ttl` key up: the entry it belongs to, if live or archived.
    pub fn ttl_of(&self, key_hash: &Hash) -> Result<Option<(LedgerKey, StoredEntry)>> {
        // Rarely asked (the RPC returns `liveUntilLedgerSeq` with every entry), so a scan.
        for (key, stored) in self.entries.borrow().iter() {
            if stored.live_until.is_some() {
                if let LedgerKey::Ttl(t) = ttl_key(key)? {
                    if &t.key_hash == key_hash {
                        return Ok(Some((key.clone(), stored.clone())));
                    }
                }
            }
        }
        Ok(None)
    }

    /// Removes temporary entries whose TTL ran out before `sequence` (stellar-core evicts them
    /// in its background scan; no client can see the difference). Returns their keys.
    pub fn evict_expired_temporary(&self, sequence: u32) -> Vec<LedgerKey> {
        let mut map = self.entries.borrow_mut();
        let mut temporary = self.temporary.borrow_mut();
        let expired: Vec<LedgerKey> = temporary
            .iter()
            .filter(|k| {
                map.get(*k)
                    .is_some_and(|s| s.live_until.is_some_and(|l| l < sequence))
            })
            .cloned()
            .collect();
        for key in &expired {
            map.remove(key);
            temporary.remove(key);
        }
        expired
    }

    /// Forgets the headers of ledgers before `sequence` (history outside the retention
    /// window). The latest header always stays.
    pub fn trim_headers_before(&mut self, sequence: u32) {
        let keep_from = self
            .headers
            .partition_point(|h| h.sequence() < sequence)
            .min(self.headers.len() - 1);
        if keep_from > 0 {
            self.headers.drain(..keep_from);
        }
    }

    /// Appends the header of the ledger just closed.
    pub fn push_header(&mut self, header: LedgerHeader) -> Result<&ClosedLedger> {
        let hash = sha256(&header.to_xdr(XDR_LIMITS).xdr("encoding ledger header")?);
        self.headers.push_back(ClosedLedger { hash, header });
        Ok(self.latest())
    }

    /// The next header after the latest, closing at `close_time` with the given hashes.
    pub fn next_header(
        &self,
        close_time: u64,
        tx_set_hash: [u8; 32],
        tx_set_result_hash: [u8; 32],
        fee_pool: i64,
    ) -> LedgerHeader {
        let prev = self.latest();
        LedgerHeader {
            ledger_version: self.protocol_version,
            previous_ledger_hash: Hash(prev.hash),
            scp_value: StellarValue {
                tx_set_hash: Hash(tx_set_hash),
                close_time: TimePoint(close_time),
                upgrades: Default::default(),
                ext: StellarValueExt::Basic,
            },
            tx_set_result_hash: Hash(tx_set_result_hash),
            // The devnet has no bucket list; a hash of nothing stands in for it.
            bucket_list_hash: Hash(sha256(b"")),
            ledger_seq: prev.sequence() + 1,
            total_coins: prev.header.total_coins,
            fee_pool: prev.header.fee_pool + fee_pool,
            inflation_seq: 0,
            id_pool: prev.header.id_pool,
            base_fee: prev.header.base_fee,
            base_reserve: prev.header.base_reserve,
            max_tx_set_size: prev.header.max_tx_set_size,
            skip_list: prev.header.skip_list.clone(),
            ext: LedgerHeaderExt::V0,
        }
    }

    /// A config setting entry.
    pub fn config_setting(&self, key: LedgerKeyConfigSetting) -> Option<ConfigSettingEntry> {
        match self.get(&LedgerKey::ConfigSetting(key))?.entry.data {
            LedgerEntryData::ConfigSetting(c) => Some(c),
            _ => None,
        }
    }
}
