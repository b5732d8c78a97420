//! Applying a validated transaction to the ledger being built: the operation
//! (InvokeHostFunction through `e2e_invoke`, ExtendFootprintTTL, RestoreFootprint), the
//! refundable fee (rent and events), and the transaction meta clients parse.
//!
//! The fee phase (charging the whole fee and bumping the sequence number) happens before any
//! transaction of the ledger is applied, as in stellar-core; see [`crate::node`].
use std::collections::HashSet;

use soroban_env_host::{
    budget::Budget,
    e2e_invoke::{
        entry_size_for_rent, extract_rent_changes, invoke_host_function, TtlLedgerEntryMeta,
    },
    fees::{
        compute_rent_fee, compute_transaction_resource_fee, LedgerEntryRentChange,
        TransactionResources,
    },
    xdr::{
        ContractEvent, ExtendFootprintTtlResult, Hash, InvokeHostFunctionResult,
        InvokeHostFunctionSuccessPreImage, LedgerKey, OperationBody, OperationResult,
        OperationResultTr, ReadXdr, RestoreFootprintResult, ScErrorCode, ScErrorType, ScVal,
        WriteXdr,
    },
    LedgerInfo,
};

pub use crate::outcome::{entry_changes, OpOutcome, TxOutcome};
use crate::{
    error::{HostContext, Result, XdrContext},
    ledger::{is_persistent, sha256, Ledger, StoredEntry, XDR_LIMITS},
    tx::CheckedTx,
};

/// A fresh budget with the transaction's declared instructions and the network's memory limit.
fn tx_budget(ledger: &Ledger, instructions: u32) -> Result<Budget> {
    Budget::try_from_configs(
        u64::from(instructions),
        u64::from(ledger.config.tx_memory_limit),
        ledger.config.cpu_cost_params.clone(),
        ledger.config.memory_cost_params.clone(),
    )
    .host("building the transaction budget")
}

/// Applies a validated transaction's operations: its Soroban operation, or its classic ones
/// (see [`crate::classic`]). Ledger changes are only kept when the transaction succeeds.
pub fn apply_tx(ledger: &Ledger, tx: &CheckedTx, info: &LedgerInfo) -> Result<TxOutcome> {
    if tx.soroban.is_none() {
        return crate::classic::apply(ledger, tx, info);
    }
    let op = apply_op(ledger, tx, info)?;
    Ok(TxOutcome {
        success: op.success,
        ops: vec![op],
    })
}

/// Applies a Soroban transaction's single operation. Ledger changes are only written when it
/// succeeds.
pub fn apply_op(ledger: &Ledger, tx: &CheckedTx, info: &LedgerInfo) -> Result<OpOutcome> {
    match tx.ops.first() {
        Some(OperationBody::InvokeHostFunction(_)) => invoke(ledger, tx, info),
        Some(OperationBody::ExtendFootprintTtl(op)) => extend_ttl(ledger, tx, info, op.extend_to),
        Some(OperationBody::RestoreFootprint(_)) => restore(ledger, tx, info),
        // `tx::check` admits nothing else.
        _ => Ok(OpOutcome::failed(
            OperationResultTr::InvokeHostFunction(InvokeHostFunctionResult::Malformed),
            vec![],
        )),
    }
}

/// The Soroban data of a transaction `tx::check` found to be a Soroban one.
fn soroban_data(tx: &CheckedTx) -> Result<&soroban_env_host::xdr::SorobanTransactionData> {
    tx.soroban
        .as_ref()
        .ok_or_else(|| crate::Error::State("a Soroban operation without Soroban data".into()))
}

/// The entries under `keys` before the operation, for the meta.
fn snapshot_keys(ledger: &Ledger, keys: &[LedgerKey]) -> Vec<(LedgerKey, Option<StoredEntry>)> {
    keys.iter().map(|k| (k.clone(), ledger.get(k))).collect()
}

fn is_budget_exceeded(e: &soroban_env_host::HostError) -> bool {
    e.error.is_type(ScErrorType::Budget) && e.error.is_code(ScErrorCode::ExceededLimit)
}

fn invoke(ledger: &Ledger, tx: &CheckedTx, info: &LedgerInfo) -> Result<OpOutcome> {
    use InvokeHostFunctionResult as R;
    let Some(OperationBody::InvokeHostFunction(op)) = tx.ops.first() else {
        return Ok(OpOutcome::failed(
            OperationResultTr::InvokeHostFunction(R::Malformed),
            vec![],
        ));
    };
    let fail = |r: R, diag| {
        Ok(OpOutcome::failed(
            OperationResultTr::InvokeHostFunction(r),
            diag,
        ))
    };
    let resources = &soroban_data(tx)?.resources;
    let fp = &resources.footprint;
    let keys: Vec<LedgerKey> = fp
        .read_only
        .iter()
        .chain(fp.read_write.iter())
        .cloned()
        .collect();
    let before = snapshot_keys(ledger, &keys);
    let restored_indices = tx.restored_indices();
    let ro_len = fp.read_only.len();

    // Archived entries may only be touched when the transaction restores them (stellar-core
    // refuses the others with ENTRY_ARCHIVED before running anything).
    for (i, (key, pre)) in before.iter().enumerate() {
        let archived = is_persistent(key)
            && pre
                .as_ref()
                .and_then(|p| p.live_until)
                .is_some_and(|l| l < info.sequence_number);
        let restoring = i >= ro_len && restored_indices.contains(&((i - ro_len) as u32));
        if archived && !restoring {
            return fail(R::EntryArchived, vec![]);
        }
    }

    let budget = tx_budget(ledger, resources.instructions)?;
    let mut encoded = Vec::with_capacity(before.len());
    for (i, (_, pre)) in before.iter().enumerate() {
        let restoring = i >= ro_len && restored_indices.contains(&((i - ro_len) as u32));
        match pre {
            None => encoded.push((None, None)),
            Some(s) => {
                let bytes = s.entry.to_xdr(XDR_LIMITS).xdr("encoding footprint entry")?;
                let ttl = match s.live_until {
                    Some(l) => Some(TtlLedgerEntryMeta {
                        // The host takes no expired entry: one being restored comes in as
                        // live in this ledger (it then pays rent as a new entry and lives at
                        // least the minimum persistent TTL).
                        live_until_ledger: if restoring && l < info.sequence_number {
                            info.sequence_number
                        } else {
                            l
                        },
                        entry_size_for_rent: entry_size_for_rent(
                            &budget,
                            &s.entry,
                            bytes.len() as u32,
                        )
                        .host("sizing entry for rent")?,
                    }),
                    None => None,
                };
                encoded.push((Some(bytes), ttl));
            }
        }
    }
    let auth: Vec<Vec<u8>> = op
        .auth
        .iter()
        .map(|a| a.to_xdr(XDR_LIMITS))
        .collect::<std::result::Result<_, _>>()
        .xdr("encoding auth entries")?;
    let source = tx.source.to_xdr(XDR_LIMITS).xdr("encoding source")?;
    let mut diagnostics = vec![];
    let out = invoke_host_function(
        &budget,
        true,
        op.host_function
            .to_xdr(XDR_LIMITS)
            .xdr("encoding host function")?,
        resources.to_xdr(XDR_LIMITS).xdr("encoding resources")?,
        &restored_indices,
        source,
        auth.into_iter(),
        info.clone(),
        encoded.into_iter(),
        // stellar-core derives it from the transaction set and the operation's index; any
        // per-transaction deterministic value will do.
        tx.hash.to_vec(),
        &mut diagnostics,
        None,
        Some(ledger.modules.clone()),
    );
    let out = match out {
        Ok(out) => out,
        Err(e) => {
            tracing::debug!(tx = %hex::encode(tx.hash), error = ?e, "host failed");
            let code = if is_budget_exceeded(&e) {
                R::ResourceLimitExceeded
            } else {
                R::Trapped
            };
            return fail(code, diagnostics);
        }
    };
    let return_xdr = match &out.encoded_invoke_result {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!(tx = %hex::encode(tx.hash), error = ?e, "invocation failed");
            let code = if is_budget_exceeded(e) {
                R::ResourceLimitExceeded
            } else {
                R::Trapped
            };
            return fail(code, diagnostics);
        }
    };
    let return_value = ScVal::from_xdr(return_xdr, XDR_LIMITS).xdr("decoding return value")?;
    let events: Vec<ContractEvent> = out
        .encoded_contract_events
        .iter()
        .map(|e| ContractEvent::from_xdr(e, XDR_LIMITS))
        .collect::<std::result::Result<_, _>>()
        .xdr("decoding contract events")?;

    // Refundable part: rent for the TTL and size changes, and the events (with the return
    // value) at the events rate.
    let rent_fee = compute_rent_fee(
        &extract_rent_changes(&out.ledger_changes),
        &ledger.config.rent_fee_configuration,
        info.sequence_number,
    );
    let events_size: usize = out
        .encoded_contract_events
        .iter()
        .map(Vec::len)
        .sum::<usize>()
        + return_xdr.len();
    let (_, events_fee) = compute_transaction_resource_fee(
        &TransactionResources {
            instructions: 0,
            disk_read_entries: 0,
            write_entries: 0,
            disk_read_bytes: 0,
            write_bytes: 0,
            contract_events_size_bytes: events_size as u32,
            transaction_size_bytes: 0,
        },
        &ledger.config.fee_configuration,
    );
    if rent_fee + events_fee > tx.refundable_budget() {
        return fail(R::InsufficientRefundableFee, diagnostics);
    }

    // Commit.
    let mut restored = HashSet::new();
    for (i, key) in fp.read_write.iter().enumerate() {
        if restored_indices.contains(&(i as u32)) {
            restored.insert(key.clone());
        }
    }
    for change in &out.ledger_changes {
        let key =
            LedgerKey::from_xdr(&change.encoded_key, XDR_LIMITS).xdr("decoding changed key")?;
        let new_ttl = change.ttl_change.as_ref().map(|t| t.new_live_until_ledger);
        if change.read_only {
            // Read-only changes carry only TTL bumps.
            if let Some(l) = new_ttl {
                ledger.set_live_until(&key, l);
            }
            continue;
        }
        match &change.encoded_new_value {
            Some(bytes) => {
                let entry = soroban_env_host::xdr::LedgerEntry::from_xdr(bytes, XDR_LIMITS)
                    .xdr("decoding changed entry")?;
                if let soroban_env_host::xdr::LedgerEntryData::ContractCode(c) = &entry.data {
                    // New code becomes a cache hit for the next transactions.
                    ledger.cache_module(c.code.as_slice())?;
                }
                let live_until = new_ttl.or_else(|| ledger.get(&key).and_then(|s| s.live_until));
                ledger.put(entry, live_until)?;
            }
            // A read-write change without a new value is a deletion.
            None => ledger.remove(&key),
        }
    }
    let changes = entry_changes(ledger, &before, &restored)?;
    let success_hash = sha256(
        &InvokeHostFunctionSuccessPreImage {
            return_value: return_value.clone(),
            events: events.clone().try_into().xdr("collecting events")?,
        }
        .to_xdr(XDR_LIMITS)
        .xdr("encoding success preimage")?,
    );
    Ok(OpOutcome {
        result: OperationResult::OpInner(OperationResultTr::InvokeHostFunction(R::Success(Hash(
            success_hash,
        )))),
        success: true,
        changes,
        events,
        diagnostic_events: diagnostics,
        return_value: Some(return_value),
        refundable_used: rent_fee + events_fee,
        rent_fee,
    })
}

/// Rent change of one entry whose TTL (and, for a restore, presence) changes.
fn rent_change(
    budget: &Budget,
    key: &LedgerKey,
    stored: &StoredEntry,
    old_live_until: u32,
    new_live_until: u32,
    restoring: bool,
) -> Result<LedgerEntryRentChange> {
    let bytes = stored.entry.to_xdr(XDR_LIMITS).xdr("encoding entry")?;
    let size =
        entry_size_for_rent(budget, &stored.entry, bytes.len() as u32).host("sizing entry")?;
    Ok(LedgerEntryRentChange {
        is_persistent: is_persistent(key),
        is_code_entry: matches!(key, LedgerKey::ContractCode(_)),
        // A restored entry pays rent as if new.
        old_size_bytes: if restoring { 0 } else { size },
        new_size_bytes: size,
        old_live_until_ledger: if restoring { 0 } else { old_live_until },
        new_live_until_ledger: new_live_until,
    })
}

fn ttl_outcome(
    ledger: &Ledger,
    tx: &CheckedTx,
    info: &LedgerInfo,
    updates: Vec<(LedgerKey, StoredEntry, u32)>,
    restoring: bool,
    insufficient: OperationResultTr,
    success: OperationResultTr,
) -> Result<OpOutcome> {
    let budget = tx_budget(
        ledger,
        soroban_data(tx)?.resources.instructions.max(1_000_000),
    )?;
    let mut rent_changes = vec![];
    for (key, stored, new_live) in &updates {
        let old = stored.live_until.unwrap_or(0);
        rent_changes.push(rent_change(
            &budget, key, stored, old, *new_live, restoring,
        )?);
    }
    let rent_fee = compute_rent_fee(
        &rent_changes,
        &ledger.config.rent_fee_configuration,
        info.sequence_number,
    );
    if rent_fee > tx.refundable_budget() {
        return Ok(OpOutcome::failed(insufficient, vec![]));
    }
    let before: Vec<(LedgerKey, Option<StoredEntry>)> = updates
        .iter()
        .map(|(k, s, _)| (k.clone(), Some(s.clone())))
        .collect();
    let mut restored = HashSet::new();
    for (key, _, new_live) in &updates {
        ledger.set_live_until(key, *new_live);
        if restoring {
            restored.insert(key.clone());
        }
    }
    Ok(OpOutcome {
        result: OperationResult::OpInner(success),
        success: true,
        changes: entry_changes(ledger, &before, &restored)?,
        events: vec![],
        diagnostic_events: vec![],
        return_value: None,
        refundable_used: rent_fee,
        rent_fee,
    })
}

fn extend_ttl(
    ledger: &Ledger,
    tx: &CheckedTx,
    info: &LedgerInfo,
    extend_to: u32,
) -> Result<OpOutcome> {
    use ExtendFootprintTtlResult as R;
    let fp = &soroban_data(tx)?.resources.footprint;
    let soroban_key =
        |k: &LedgerKey| matches!(k, LedgerKey::ContractData(_) | LedgerKey::ContractCode(_));
    if !fp.read_write.is_empty()
        || !fp.read_only.iter().all(soroban_key)
        || extend_to > ledger.config.max_entry_ttl.saturating_sub(1)
    {
        return Ok(OpOutcome::failed(
            OperationResultTr::ExtendFootprintTtl(R::Malformed),
            vec![],
        ));
    }
    let new_live = info.sequence_number.saturating_add(extend_to);
    let mut updates = vec![];
    for key in fp.read_only.iter() {
        let Some(stored) = ledger.get(key) else {
            continue;
        };
        let live = stored.live_until.unwrap_or(0);
        // Archived entries are skipped, as are those already living long enough.
        if live < info.sequence_number || live >= new_live {
            continue;
        }
        updates.push((key.clone(), stored, new_live));
    }
    ttl_outcome(
        ledger,
        tx,
        info,
        updates,
        false,
        OperationResultTr::ExtendFootprintTtl(R::InsufficientRefundableFee),
        OperationResultTr::ExtendFootprintTtl(R::Success),
    )
}

fn restore(ledger: &Ledger, tx: &CheckedTx, info: &LedgerInfo) -> Result<OpOutcome> {
    use RestoreFootprintResult as R;
    let fp = &soroban_data(tx)?.resources.footprint;
    if !fp.read_only.is_empty() || !fp.read_write.iter().all(is_persistent) {
        return Ok(OpOutcome::failed(
            OperationResultTr::RestoreFootprint(R::Malformed),
            vec![],
        ));
    }
    let new_live = info
        .sequence_number
        .saturating_add(ledger.config.min_persistent_entry_ttl)
        .saturating_sub(1);
    let mut updates = vec![];
    for key in fp.read_write.iter() {
        let Some(stored) = ledger.get(key) else {
            continue;
        };
        // Only archived entries are restored; live ones are left as they are.
        if stored.live_until.unwrap_or(0) >= info.sequence_number {
            continue;
        }
        updates.push((key.clone(), stored, new_live));
    }
    ttl_outcome(
        ledger,
        tx,
        info,
        updates,
        true,
        OperationResultTr::RestoreFootprint(R::InsufficientRefundableFee),
        OperationResultTr::RestoreFootprint(R::Success),
    )
}
