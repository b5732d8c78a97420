//! What applying a transaction produced (per operation and per transaction) and the ledger
//! entry changes of its meta: shared by the Soroban path ([`crate::apply`]) and the classic
//! one ([`crate::classic`]), so neither needs the other's module.
use std::collections::HashSet;

use soroban_env_host::xdr::{
    ContractEvent, DiagnosticEvent, LedgerEntryChange, LedgerKey, OperationResult,
    OperationResultTr, ScVal,
};

use crate::{
    error::Result,
    ledger::{ttl_entry, Ledger, StoredEntry},
};

/// What applying one operation produced.
#[derive(Debug)]
pub struct OpOutcome {
    pub result: OperationResult,
    pub success: bool,
    /// Changes of the operation, for `OperationMetaV2.changes`.
    pub changes: Vec<LedgerEntryChange>,
    pub events: Vec<ContractEvent>,
    pub diagnostic_events: Vec<DiagnosticEvent>,
    pub return_value: Option<ScVal>,
    /// Refundable fee used: rent plus events.
    pub refundable_used: i64,
    pub rent_fee: i64,
}

impl OpOutcome {
    pub fn failed(result: OperationResultTr, diagnostic_events: Vec<DiagnosticEvent>) -> Self {
        Self {
            result: OperationResult::OpInner(result),
            success: false,
            changes: vec![],
            events: vec![],
            diagnostic_events,
            return_value: None,
            refundable_used: 0,
            rent_fee: 0,
        }
    }
}

/// What applying a transaction's operations produced: one outcome per operation.
#[derive(Debug)]
pub struct TxOutcome {
    pub ops: Vec<OpOutcome>,
    /// Whether every operation succeeded (otherwise nothing they did was kept).
    pub success: bool,
}

/// `LedgerEntryChanges` from the state before and the ledger now, the way stellar-core writes
/// them: `State` before `Updated`/`Removed`, TTLs as their own `Ttl` entries, restored entries
/// as `Restored`.
pub fn entry_changes(
    ledger: &Ledger,
    before: &[(LedgerKey, Option<StoredEntry>)],
    restored: &HashSet<LedgerKey>,
) -> Result<Vec<LedgerEntryChange>> {
    use LedgerEntryChange as C;
    let mut out = vec![];
    for (key, pre) in before {
        let post = ledger.get(key);
        let seq = post
            .as_ref()
            .map(|p| p.entry.last_modified_ledger_seq)
            .unwrap_or(0);
        match (pre, post) {
            (None, None) => {}
            (None, Some(post)) => {
                out.push(C::Created(post.entry.clone()));
                if let Some(l) = post.live_until {
                    out.push(C::Created(ttl_entry(key, l, seq)?));
                }
            }
            (Some(pre), None) => {
                out.push(C::State(pre.entry.clone()));
                out.push(C::Removed(key.clone()));
                if let Some(l) = pre.live_until {
                    let ttl = ttl_entry(key, l, pre.entry.last_modified_ledger_seq)?;
                    out.push(C::State(ttl));
                    out.push(C::Removed(crate::ledger::ttl_key(key)?));
                }
            }
            (Some(_), Some(post)) if restored.contains(key) => {
                out.push(C::Restored(post.entry.clone()));
                if let Some(l) = post.live_until {
                    out.push(C::Restored(ttl_entry(key, l, ledger.next_sequence())?));
                }
            }
            (Some(pre), Some(post)) => {
                if pre.entry != post.entry {
                    out.push(C::State(pre.entry.clone()));
                    out.push(C::Updated(post.entry.clone()));
                }
                if let (Some(old), Some(new)) = (pre.live_until, post.live_until) {
                    if old != new {
                        // The entry's lastModifiedLedgerSeq stays; the Ttl entry's moves.
                        let old_seq = pre.entry.last_modified_ledger_seq;
                        out.push(C::State(ttl_entry(key, old, old_seq)?));
                        out.push(C::Updated(ttl_entry(key, new, ledger.next_sequence())?));
                    }
                }
            }
        }
    }
    Ok(out)
}
