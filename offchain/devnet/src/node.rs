//! The node: the ledger, the transaction queue and the history (transactions, events), and
//! what happens when a ledger closes. Everything here runs on one thread (the ledger
//! shares its state with simulator snapshots through `Rc`); the RPC layer will drive it from
//! a dedicated thread.
use std::collections::{HashMap, HashSet};

use soroban_env_host::{
    e2e_invoke::{invoke_host_function_in_recording_mode, RecordingInvocationAuthMode},
    xdr::{
        AccountId, Asset, ContractExecutable, ContractIdPreimage, CreateContractArgs,
        ExtensionPoint, Hash, HostFunction, LedgerEntry, LedgerEntryData, LedgerEntryExt,
        LedgerHeader, LedgerHeaderExt, LedgerKey, OperationMetaV2, ReadXdr,
        SorobanTransactionMetaExt, SorobanTransactionMetaExtV1, SorobanTransactionMetaV2,
        StellarValue, StellarValueExt, TimePoint, TransactionEnvelope, TransactionMeta,
        TransactionMetaV4, TransactionResult, TransactionResultExt, TransactionResultResult,
        WriteXdr,
    },
};

use crate::{
    accounts,
    apply::{self, entry_changes},
    error::{Error, HostContext, Result, XdrContext},
    events::{EventId, EventStore, StoredEvent},
    genesis::{self, TtlSettings, BASE_FEE, BASE_RESERVE, TOTAL_COINS},
    ledger::{sha256, ClosedLedger, EntryMap, Ledger, StoredEntry, XDR_LIMITS},
    tx::{self, CheckedTx, Rejection},
};

/// How a devnet starts from nothing.
#[derive(Clone, Debug)]
pub struct GenesisOptions {
    pub passphrase: String,
    pub ttl: TtlSettings,
}

impl Default for GenesisOptions {
    fn default() -> Self {
        Self {
            passphrase: genesis::DEFAULT_PASSPHRASE.to_string(),
            ttl: TtlSettings::default(),
        }
    }
}

/// The protocol the host of this build implements.
pub fn protocol_version() -> u32 {
    soroban_env_host::meta::INTERFACE_VERSION.protocol
}

/// How many ledgers of history (headers, transactions, events) the node serves: the Go
/// server's default `HISTORY_RETENTION_WINDOW` (7 days of 5 s ledgers). Older history is
/// dropped, as the real server drops it.
pub const RETENTION_WINDOW: u32 = 120_960;
/// History is dropped in batches once it exceeds the window by this much (a ledger's worth of
/// trimming per close would move the whole header list every time).
const TRIM_SLACK: u32 = 1_024;
/// How many ledgers the friendbot remembers which transaction funded an account.
const FRIENDBOT_MEMORY: u32 = 1_000;
/// The most ledgers one [`Node::advance`] closes (mainnet's longest TTL is 3 110 400).
pub const MAX_ADVANCE: u32 = 5_000_000;

/// A transaction that made it into a ledger.
#[derive(Clone, Debug)]
pub struct TxRecord {
    pub hash: [u8; 32],
    pub ledger: u32,
    /// Close time of its ledger, Unix seconds.
    pub created_at: u64,
    /// 1-based position in its ledger.
    pub application_order: u32,
    pub envelope: TransactionEnvelope,
    pub result: TransactionResult,
    pub meta: TransactionMeta,
    pub success: bool,
}

/// The answer to a submission, as `sendTransaction` reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum SubmitStatus {
    /// Queued for the next ledger.
    Pending,
    /// Already queued.
    Duplicate,
    /// The source account already has a transaction queued (stellar-core keeps one per
    /// account); retry after the next ledger.
    TryAgainLater,
    /// Refused: the result code and the reason.
    Error(Rejection),
}

/// What the friendbot did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FundStatus {
    /// The account will be created with the starting balance when the next ledger closes.
    Queued,
    /// The account exists already.
    AlreadyFunded,
}

enum Pending {
    Tx(Box<CheckedTx>),
    Fund(AccountId),
}

/// The devnet's state machine.
pub struct Node {
    pub ledger: Ledger,
    pending: Vec<Pending>,
    txs: HashMap<[u8; 32], TxRecord>,
    /// Hashes of the transactions of each ledger, in application order (for `getLedgers`).
    ledger_txs: HashMap<u32, Vec<[u8; 32]>>,
    pub events: EventStore,
    /// The friendbot's transaction for each account it funded lately, and its ledger (the
    /// friendbot's HTTP answer names it once that ledger has closed).
    friendbot: HashMap<AccountId, ([u8; 32], u32)>,
}

impl Node {
    /// A new network: genesis ledger 1 holds the configuration and the root account with all
    /// the lumens; ledger 2 deploys the native asset's contract.
    pub fn genesis(options: &GenesisOptions, now: u64) -> Result<Self> {
        let protocol = protocol_version();
        let network_id = crate::ledger::network_id(&options.passphrase);
        let mut entries = EntryMap::new();
        for setting in genesis::config_settings(&options.ttl)? {
            let entry = LedgerEntry {
                last_modified_ledger_seq: 1,
                data: LedgerEntryData::ConfigSetting(setting),
                ext: LedgerEntryExt::V0,
            };
            entries.insert(
                entry.to_key(),
                StoredEntry {
                    entry,
                    live_until: None,
                },
            );
        }
        let root = accounts::account_id(accounts::root_key(&network_id).verifying_key().to_bytes());
        let mut root_entry = accounts::new_account(&root, TOTAL_COINS, 1);
        if let LedgerEntryData::Account(a) = &mut root_entry.data {
            a.seq_num.0 = 0;
        }
        entries.insert(
            root_entry.to_key(),
            StoredEntry {
                entry: root_entry,
                live_until: None,
            },
        );
        let header = LedgerHeader {
            ledger_version: protocol,
            previous_ledger_hash: Hash([0; 32]),
            scp_value: StellarValue {
                tx_set_hash: Hash(sha256(b"")),
                close_time: TimePoint(now),
                upgrades: Default::default(),
                ext: StellarValueExt::Basic,
            },
            tx_set_result_hash: Hash(sha256(b"")),
            bucket_list_hash: Hash(sha256(b"")),
            ledger_seq: 1,
            total_coins: TOTAL_COINS,
            fee_pool: 0,
            inflation_seq: 0,
            id_pool: 0,
            base_fee: BASE_FEE,
            base_reserve: BASE_RESERVE,
            max_tx_set_size: 1_000,
            skip_list: Default::default(),
            ext: LedgerHeaderExt::V0,
        };
        let hash = sha256(&header.to_xdr(XDR_LIMITS).xdr("encoding genesis header")?);
        let ledger = Ledger::from_parts(
            options.passphrase.clone(),
            protocol,
            entries,
            vec![ClosedLedger { hash, header }],
        )?;
        let mut node = Self {
            ledger,
            pending: vec![],
            txs: HashMap::new(),
            ledger_txs: HashMap::new(),
            events: EventStore::default(),
            friendbot: HashMap::new(),
        };
        node.deploy_native_asset_contract(&root, now)?;
        node.close_ledger(now)?;
        Ok(node)
    }

    /// Deploys the native asset's contract by running `CreateContract(Asset::Native)` in the
    /// host (recording mode, as the root account) and writing its changes.
    fn deploy_native_asset_contract(&mut self, root: &AccountId, now: u64) -> Result<()> {
        let info = self.ledger.ledger_info(now);
        let budget = soroban_env_host::budget::Budget::try_from_configs(
            self.ledger.config.tx_max_instructions as u64,
            u64::from(self.ledger.config.tx_memory_limit),
            self.ledger.config.cpu_cost_params.clone(),
            self.ledger.config.memory_cost_params.clone(),
        )
        .host("genesis budget")?;
        let mut diagnostics = vec![];
        let out = invoke_host_function_in_recording_mode(
            &budget,
            false,
            &HostFunction::CreateContract(CreateContractArgs {
                contract_id_preimage: ContractIdPreimage::Asset(Asset::Native),
                executable: ContractExecutable::StellarAsset,
            }),
            root,
            RecordingInvocationAuthMode::recording(true, false),
            info,
            std::rc::Rc::new(self.ledger.snapshot()),
            [0; 32],
            &mut diagnostics,
        )
        .host("deploying the native asset contract")?;
        out.invoke_result
            .host("deploying the native asset contract")?;
        for change in &out.ledger_changes {
            if let Some(bytes) = &change.encoded_new_value {
                let entry =
                    LedgerEntry::from_xdr(bytes, XDR_LIMITS).xdr("native contract entry")?;
                let live_until = change.ttl_change.as_ref().map(|t| t.new_live_until_ledger);
                // The native contract must outlive any test: give it the maximum TTL.
                let live_until = live_until
                    .map(|_| self.ledger.next_sequence() + self.ledger.config.max_entry_ttl - 1);
                if !change.read_only {
                    self.ledger.put(entry, live_until)?;
                }
            }
        }
        Ok(())
    }

    /// Close time for the next ledger: the wall clock, but always after the previous one.
    fn next_close_time(&self, now: u64) -> u64 {
        now.max(self.ledger.latest().close_time() + 1)
    }

    /// Validates and queues a transaction for the next ledger.
    pub fn submit(
        &mut self,
        envelope: &TransactionEnvelope,
        now: u64,
    ) -> Result<(SubmitStatus, [u8; 32])> {
        let hash = tx::hash(envelope, &self.ledger.network_id)?;
        let mut busy = HashSet::new();
        for p in &self.pending {
            if let Pending::Tx(t) = p {
                if t.hash == hash {
                    return Ok((SubmitStatus::Duplicate, hash));
                }
                busy.insert(t.source.clone());
            }
        }
        // Like stellar-core's queue, one transaction per source account at a time: a second
        // one waits (before any validation, so a sequence number ahead is not BAD_SEQ).
        if tx::source_account(envelope).is_some_and(|s| busy.contains(&s)) {
            return Ok((SubmitStatus::TryAgainLater, hash));
        }
        let ctx = tx::Context {
            ledger: &self.ledger,
            close_time: self.next_close_time(now),
        };
        let checked = match tx::check(&ctx, envelope)? {
            Ok(c) => c,
            Err(rejection) => {
                tracing::debug!(tx = %hex::encode(hash), reason = %rejection.reason, "refused");
                return Ok((SubmitStatus::Error(rejection), hash));
            }
        };
        self.pending.push(Pending::Tx(Box::new(checked)));
        Ok((SubmitStatus::Pending, hash))
    }

    /// Queues the creation of `account` with the friendbot's starting balance.
    pub fn fund(&mut self, account: &AccountId) -> FundStatus {
        let queued = self
            .pending
            .iter()
            .any(|p| matches!(p, Pending::Fund(a) if a == account));
        if queued || accounts::load(&self.ledger, account).is_some() {
            return FundStatus::AlreadyFunded;
        }
        self.pending.push(Pending::Fund(account.clone()));
        FundStatus::Queued
    }

    /// Number of queued transactions and fundings.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// A transaction that made it into a ledger still in the retention window.
    pub fn transaction(&self, hash: &[u8; 32]) -> Option<&TxRecord> {
        let oldest = self.oldest_ledger().sequence();
        self.txs.get(hash).filter(|t| t.ledger >= oldest)
    }

    /// The oldest ledger served: the retention window's first, or genesis on a young network.
    pub fn oldest_ledger(&self) -> &ClosedLedger {
        let latest = self.ledger.latest().sequence();
        let oldest = latest.saturating_add(1).saturating_sub(RETENTION_WINDOW);
        self.ledger
            .header(oldest)
            .unwrap_or_else(|| self.ledger.first())
    }

    /// Drops history older than the retention window once it exceeds it by [`TRIM_SLACK`].
    fn trim_history(&mut self) {
        let first = self.ledger.first().sequence();
        let latest = self.ledger.latest().sequence();
        if latest - first < RETENTION_WINDOW + TRIM_SLACK {
            return;
        }
        let cutoff = latest + 1 - RETENTION_WINDOW;
        self.ledger.trim_headers_before(cutoff);
        self.txs.retain(|_, t| t.ledger >= cutoff);
        self.ledger_txs.retain(|&l, _| l >= cutoff);
        self.events.trim_before(cutoff);
        tracing::debug!(
            oldest = cutoff,
            "history outside the retention window dropped"
        );
    }

    /// Closes `count` ledgers at once (a devnet-only fast-forward, so that tests can watch
    /// TTLs run out): the first applies the queue, the others are empty and share its close
    /// time, since time has not passed. Expired temporary entries are evicted once, at the
    /// end. Returns the last ledger closed.
    pub fn advance(&mut self, count: u32, now: u64) -> Result<u32> {
        if count == 0 || count > MAX_ADVANCE {
            return Err(Error::State(format!(
                "can advance by 1 to {MAX_ADVANCE} ledgers, not {count}"
            )));
        }
        let mut last = self.close_ledger(now)?.sequence();
        for _ in 1..count {
            last = self.close_empty()?;
        }
        self.ledger.evict_expired_temporary(last + 1);
        Ok(last)
    }

    /// Closes a ledger with nothing in it at the previous close time (for [`Node::advance`]).
    fn close_empty(&mut self) -> Result<u32> {
        debug_assert!(self.pending.is_empty());
        let close_time = self.ledger.latest().close_time();
        let empty = sha256(b"");
        let header = self.ledger.next_header(close_time, empty, empty, 0);
        let seq = self.ledger.push_header(header)?.sequence();
        self.trim_history();
        Ok(seq)
    }

    /// A node from saved parts (see [`crate::persist`]): the ledger, every applied
    /// transaction and every event. The queue starts empty, as a restarted stellar-core's.
    pub fn from_parts(ledger: Ledger, mut txs: Vec<TxRecord>, events: Vec<StoredEvent>) -> Self {
        txs.sort_by_key(|t| (t.ledger, t.application_order));
        let mut ledger_txs: HashMap<u32, Vec<[u8; 32]>> = HashMap::new();
        for t in &txs {
            ledger_txs.entry(t.ledger).or_default().push(t.hash);
        }
        let mut store = EventStore::default();
        for e in events {
            store.push(e);
        }
        Self {
            ledger,
            pending: vec![],
            txs: txs.into_iter().map(|t| (t.hash, t)).collect(),
            ledger_txs,
            events: store,
            friendbot: HashMap::new(),
        }
    }

    /// Every applied transaction, in no particular order.
    pub fn transactions(&self) -> impl Iterator<Item = &TxRecord> {
        self.txs.values()
    }

    /// The transactions of ledger `sequence`, in application order.
    pub fn transactions_in_ledger(&self, sequence: u32) -> Vec<&TxRecord> {
        self.ledger_txs
            .get(&sequence)
            .map(|hashes| hashes.iter().filter_map(|h| self.txs.get(h)).collect())
            .unwrap_or_default()
    }

    /// Closes the next ledger: evicts expired temporary entries, charges every queued
    /// transaction's fee and bumps its sequence number, funds queued accounts, applies the
    /// transactions in order and refunds what they did not use.
    pub fn close_ledger(&mut self, now: u64) -> Result<&ClosedLedger> {
        let close_time = self.next_close_time(now);
        let info = self.ledger.ledger_info(close_time);
        let seq = info.sequence_number;
        let evicted = self.ledger.evict_expired_temporary(seq);
        if !evicted.is_empty() {
            tracing::debug!(
                ledger = seq,
                count = evicted.len(),
                "evicted expired temporary entries"
            );
        }
        let pending = std::mem::take(&mut self.pending);
        let root = accounts::account_id(
            accounts::root_key(&self.ledger.network_id)
                .verifying_key()
                .to_bytes(),
        );

        // Fee phase: every transaction pays its whole fee and takes its sequence number, in
        // queue order. The friendbot's transactions are signed here, from the root account's
        // sequence number as it stands.
        let mut txs = vec![];
        for p in pending {
            let tx = match p {
                Pending::Tx(tx) => tx,
                Pending::Fund(id) => match self.friendbot_tx(&root, &id, close_time)? {
                    Some(tx) => tx,
                    None => continue,
                },
            };
            let key = accounts::account_key(&tx.source);
            let before = vec![(key.clone(), self.ledger.get(&key))];
            let Some(mut account) = accounts::load(&self.ledger, &tx.source) else {
                continue; // cannot happen: validated against this ledger
            };
            if account.seq_num.0 + 1 != tx.seq_num || account.balance < tx.fee {
                tracing::warn!(tx = %hex::encode(tx.hash), "dropped at close: account changed");
                continue;
            }
            // A classic transaction pays the base fee per operation (no surge pricing here);
            // a Soroban one its whole bid, the unused refundable part returned after.
            let taken = if tx.soroban.is_none() {
                tx.fee.min(tx.inclusion_fee())
            } else {
                tx.fee
            };
            account.balance -= taken;
            account.seq_num.0 = tx.seq_num;
            accounts::store(&self.ledger, account)?;
            let changes = entry_changes(&self.ledger, &before, &HashSet::new())?;
            txs.push((tx, taken, changes));
        }

        // Apply phase.
        let mut fee_pool = 0;
        let mut hashes = vec![];
        let mut results = vec![];
        for (i, (tx, taken, changes_before)) in txs.into_iter().enumerate() {
            let order = i as u32 + 1;
            let outcome = apply::apply_tx(&self.ledger, &tx, &info)?;
            let refundable_used: i64 = outcome.ops.iter().map(|o| o.refundable_used).sum();
            let rent_fee: i64 = outcome.ops.iter().map(|o| o.rent_fee).sum();
            let refundable_charged = if outcome.success { refundable_used } else { 0 };
            let charged =
                (tx.inclusion_fee() + tx.non_refundable_fee + refundable_charged).min(taken);
            let refund = taken - charged;
            let key = accounts::account_key(&tx.source);
            let before = vec![(key.clone(), self.ledger.get(&key))];
            if refund > 0 {
                if let Some(mut account) = accounts::load(&self.ledger, &tx.source) {
                    account.balance += refund;
                    accounts::store(&self.ledger, account)?;
                }
            }
            let changes_after = entry_changes(&self.ledger, &before, &HashSet::new())?;
            fee_pool += charged;
            let op_results = outcome
                .ops
                .iter()
                .map(|o| o.result.clone())
                .collect::<Vec<_>>()
                .try_into()
                .xdr("op results")?;
            let result = TransactionResult {
                fee_charged: charged,
                result: if outcome.success {
                    TransactionResultResult::TxSuccess(op_results)
                } else {
                    TransactionResultResult::TxFailed(op_results)
                },
                ext: TransactionResultExt::V0,
            };
            let mut op_metas = vec![];
            for o in &outcome.ops {
                op_metas.push(OperationMetaV2 {
                    ext: ExtensionPoint::V0,
                    changes: o.changes.clone().try_into().xdr("op changes")?,
                    events: o.events.clone().try_into().xdr("op events")?,
                });
            }
            let diagnostics: Vec<_> = outcome
                .ops
                .iter()
                .flat_map(|o| o.diagnostic_events.iter().cloned())
                .collect();
            let soroban_meta = match &tx.soroban {
                None => None,
                Some(_) => Some(SorobanTransactionMetaV2 {
                    ext: SorobanTransactionMetaExt::V1(SorobanTransactionMetaExtV1 {
                        ext: ExtensionPoint::V0,
                        total_non_refundable_resource_fee_charged: tx.non_refundable_fee,
                        total_refundable_resource_fee_charged: refundable_charged,
                        rent_fee_charged: if outcome.success { rent_fee } else { 0 },
                    }),
                    return_value: outcome.ops.first().and_then(|o| o.return_value.clone()),
                }),
            };
            let meta = TransactionMeta::V4(TransactionMetaV4 {
                ext: ExtensionPoint::V0,
                tx_changes_before: changes_before.try_into().xdr("changes before")?,
                operations: op_metas.try_into().xdr("op meta")?,
                tx_changes_after: changes_after.try_into().xdr("changes after")?,
                soroban_meta,
                events: Default::default(),
                diagnostic_events: diagnostics.try_into().xdr("diagnostics")?,
            });
            for (op_index, o) in outcome.ops.iter().enumerate() {
                for (n, event) in o.events.iter().enumerate() {
                    self.events.push(StoredEvent {
                        id: EventId {
                            ledger: seq,
                            tx_order: order,
                            op_index: op_index as u32,
                            event_index: n as u32,
                        },
                        event: event.clone(),
                        tx_hash: tx.hash,
                        ledger_close_time: close_time,
                        in_successful_contract_call: true,
                    });
                }
            }
            tracing::debug!(tx = %hex::encode(tx.hash), ledger = seq, success = outcome.success, fee = charged, "applied");
            hashes.extend_from_slice(&tx.hash);
            results.extend_from_slice(&result.to_xdr(XDR_LIMITS).xdr("encoding result")?);
            self.ledger_txs.entry(seq).or_default().push(tx.hash);
            self.txs.insert(
                tx.hash,
                TxRecord {
                    hash: tx.hash,
                    ledger: seq,
                    created_at: close_time,
                    application_order: order,
                    envelope: tx.envelope.clone(),
                    result,
                    meta,
                    success: outcome.success,
                },
            );
        }
        let header =
            self.ledger
                .next_header(close_time, sha256(&hashes), sha256(&results), fee_pool);
        self.ledger.push_header(header)?;
        self.trim_history();
        // The friendbot answers right after the close; forget older fundings.
        self.friendbot
            .retain(|_, (_, l)| l.saturating_add(FRIENDBOT_MEMORY) > seq);
        Ok(self.ledger.latest())
    }

    /// The friendbot's CreateAccount for `id`, signed by the root account with its next
    /// sequence number and validated like any transaction; `None` (logged) if it is refused.
    fn friendbot_tx(
        &mut self,
        root: &AccountId,
        id: &AccountId,
        close_time: u64,
    ) -> Result<Option<Box<CheckedTx>>> {
        let root_account = accounts::load(&self.ledger, root)
            .ok_or_else(|| Error::State("the root account is missing".into()))?;
        let envelope =
            accounts::friendbot_envelope(&self.ledger.network_id, root_account.seq_num.0 + 1, id)?;
        let ctx = tx::Context {
            ledger: &self.ledger,
            close_time,
        };
        match tx::check(&ctx, &envelope)? {
            Ok(checked) => {
                let ledger = self.ledger.next_sequence();
                self.friendbot.insert(id.clone(), (checked.hash, ledger));
                tracing::info!(account = %id, tx = %hex::encode(checked.hash), "friendbot funding");
                Ok(Some(Box::new(checked)))
            }
            Err(rejection) => {
                tracing::error!(account = %id, reason = %rejection.reason, "friendbot transaction refused");
                Ok(None)
            }
        }
    }

    /// The hash of the friendbot's transaction for `account` in a recent ledger.
    pub fn friendbot_transaction(&self, account: &AccountId) -> Option<[u8; 32]> {
        self.friendbot.get(account).map(|(hash, _)| *hash)
    }

    /// The entry under `key` as of the last closed ledger (`Ttl` keys answered from the TTL
    /// kept beside each entry).
    pub fn ledger_entry(&self, key: &LedgerKey) -> Result<Option<(LedgerEntry, Option<u32>)>> {
        if let LedgerKey::Ttl(t) = key {
            return Ok(match self.ledger.ttl_of(&t.key_hash)? {
                Some((k, s)) => Some((
                    crate::ledger::ttl_entry(
                        &k,
                        s.live_until.unwrap_or(0),
                        s.entry.last_modified_ledger_seq,
                    )?,
                    None,
                )),
                None => None,
            });
        }
        // As of the last closed ledger: a temporary entry living until it is still there.
        let latest = self.ledger.latest().sequence();
        Ok(self
            .ledger
            .snapshot_at(latest)
            .entry(key)
            .map(|s| (s.entry, s.live_until)))
    }
}
