//! Preflight with soroban-simulation, against the ledger being built (as the real RPC
//! simulates on top of its latest ledger).
use std::rc::Rc;

use soroban_env_host::{
    e2e_invoke::RecordingInvocationAuthMode,
    xdr::{AccountId, HostFunction, LedgerKey},
};
use soroban_simulation::{
    simulation::{
        simulate_extend_ttl_op, simulate_invoke_host_function_op, simulate_restore_op,
        ExtendTtlOpSimulationResult, InvokeHostFunctionSimulationResult, RestoreOpSimulationResult,
        SimulationAdjustmentConfig,
    },
    AutoRestoringSnapshotSource,
};

use crate::{
    error::{Error, Result},
    ledger::{sha256, Ledger},
};

/// How auth is handled in a simulated invocation (the RPC's `authMode`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// Record what the invocation needs (the default when the operation has no auth).
    Record,
    /// Record, allowing non-root authorisation (`record_allow_nonroot`).
    RecordAllowNonRoot,
    /// Check the entries the operation carries (the default when it has some).
    Enforce,
}

/// soroban-simulation reports its own failures with `anyhow`; we keep their text.
fn sim_err(what: &'static str, e: impl std::fmt::Display) -> Error {
    Error::Simulation {
        what,
        message: e.to_string(),
    }
}

/// Simulates an InvokeHostFunction operation. A failing invocation is not an `Err`: it is in
/// `invoke_result`, with the diagnostic events.
pub fn invoke(
    ledger: &Ledger,
    source: &AccountId,
    host_function: HostFunction,
    auth: AuthMode,
    auth_entries: Vec<soroban_env_host::xdr::SorobanAuthorizationEntry>,
    close_time: u64,
) -> Result<InvokeHostFunctionSimulationResult> {
    let info = ledger.ledger_info(close_time);
    let mode = match auth {
        AuthMode::Enforce => RecordingInvocationAuthMode::Enforcing(auth_entries),
        // v1 `Address` credentials: clients sign their preimage (AddressV2 signs another).
        AuthMode::Record => RecordingInvocationAuthMode::recording(true, false),
        AuthMode::RecordAllowNonRoot => RecordingInvocationAuthMode::recording(false, false),
    };
    // A seed that differs per ledger and call but is reproducible.
    let seed = sha256(
        &[
            &info.sequence_number.to_be_bytes()[..],
            &close_time.to_be_bytes(),
        ]
        .concat(),
    );
    simulate_invoke_host_function_op(
        Rc::new(ledger.snapshot()),
        &ledger.config,
        &SimulationAdjustmentConfig::default_adjustment(),
        &info,
        host_function,
        mode,
        source,
        seed,
        true,
    )
    .map_err(|e| sim_err("invoking", format!("{e:#}")))
}

/// What simulating ExtendFootprintTTL gives: the extension's transaction data, and when some
/// keys are archived, the RestoreFootprint that must land first (the RPC's `restorePreamble`).
#[derive(Debug)]
pub struct ExtendSimulation {
    pub extend: ExtendTtlOpSimulationResult,
    pub restore_preamble: Option<RestoreOpSimulationResult>,
}

/// Simulates ExtendFootprintTTL of `keys` to `extend_to` ledgers from now, as the Go server
/// does: archived keys are seen as if restored (so the extension is priced on them), and the
/// restore they need comes back as a preamble. An invocation needs no preamble since protocol
/// 23: its own transaction data marks the archived entries it restores
/// (`archivedSorobanEntries`).
pub fn extend_ttl(
    ledger: &Ledger,
    keys: &[LedgerKey],
    extend_to: u32,
    close_time: u64,
) -> Result<ExtendSimulation> {
    let info = ledger.ledger_info(close_time);
    let snapshot = AutoRestoringSnapshotSource::new(Rc::new(ledger.snapshot()), &info)
        .map_err(|e| sim_err("extending TTL", format!("{e:#}")))?;
    let adjustment = SimulationAdjustmentConfig::default_adjustment();
    let extend = simulate_extend_ttl_op(
        &snapshot,
        &ledger.config,
        &adjustment,
        &info,
        keys,
        extend_to,
    )
    .map_err(|e| sim_err("extending TTL", format!("{e:#}")))?;
    let restore_preamble = snapshot
        .simulate_restore_keys_op(&ledger.config, &adjustment, &info)
        .map_err(|e| sim_err("restoring before extending", format!("{e:#}")))?;
    Ok(ExtendSimulation {
        extend,
        restore_preamble,
    })
}

/// Simulates RestoreFootprint of `keys`.
pub fn restore(
    ledger: &Ledger,
    keys: &[LedgerKey],
    close_time: u64,
) -> Result<RestoreOpSimulationResult> {
    let info = ledger.ledger_info(close_time);
    simulate_restore_op(
        &ledger.snapshot(),
        &ledger.config,
        &SimulationAdjustmentConfig::default_adjustment(),
        &info,
        keys,
    )
    .map_err(|e| sim_err("restoring", format!("{e:#}")))
}
