//! The Stellar RPC JSON-RPC 2.0 API over HTTP, with the shapes and error codes of the Go
//! `stellar-rpc` server, and the friendbot.
//!
//! Every method runs as one job on the node thread (see [`crate::service`]), so it answers
//! from one consistent ledger: the last closed one.
use std::{net::SocketAddr, str::FromStr};

use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};
use soroban_env_host::xdr::{
    AccountId, ContractId, DiagnosticEvent, HostFunction, LedgerEntry, LedgerKey, Limits,
    OperationBody, ReadXdr, ScVal, TransactionEnvelope, WriteXdr,
};

use crate::{
    error::{Error, Result},
    events::{EventId, Filter, Segment},
    node::{FundStatus, Node, SubmitStatus},
    service::{unix_now, Handle},
    simulate::{self, AuthMode},
};

/// The largest request body accepted: the Go server's `maxHTTPRequestSize` (512 KiB).
pub const MAX_REQUEST_BYTES: usize = 512 * 1024;
pub use crate::node::RETENTION_WINDOW;
/// `getEvents` pages: the default and the largest limit.
const EVENTS_DEFAULT_LIMIT: usize = 100;
const EVENTS_MAX_LIMIT: usize = 10_000;
/// How many ledgers one `getEvents` call scans at most.
const EVENTS_LEDGER_SCAN: u32 = 10_000;
/// `getLedgerEntries` takes at most this many keys.
const MAX_LEDGER_ENTRY_KEYS: usize = 200;

/// JSON-RPC 2.0 error codes.
pub mod code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
}

/// A JSON-RPC error object.
#[derive(Debug)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
}

impl RpcError {
    fn invalid_params(message: impl Into<String>) -> Self {
        Self {
            code: code::INVALID_PARAMS,
            message: message.into(),
        }
    }
    fn internal(e: &Error) -> Self {
        tracing::error!(error = %e, "internal error");
        Self {
            code: code::INTERNAL_ERROR,
            message: e.to_string(),
        }
    }
}

type MethodResult = std::result::Result<Value, RpcError>;

/// What the HTTP handlers share.
#[derive(Clone)]
pub struct AppState {
    pub handle: Handle,
    /// Where the server listens (for `getNetwork`'s friendbot URL).
    pub addr: SocketAddr,
}

/// The HTTP routes: JSON-RPC on `POST /`, the friendbot on `GET /friendbot`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", post(rpc))
        // The JS SDK's `requestAirdrop` POSTs; curl and browsers GET.
        .route("/friendbot", get(friendbot).post(friendbot))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn(cors))
        .with_state(state)
}

/// Cross-origin access for web pages (a dapp on another localhost port), as the Go server
/// allows it: any origin, any header. The devnet holds nothing of value and serves loopback
/// only, so this opens nothing a local process could not already do.
async fn cors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use axum::http::{header, HeaderValue, Method};
    let origin = request.headers().get(header::ORIGIN).cloned();
    let wanted_headers = request
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned();
    let mut response = if request.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let Some(origin) = origin else {
        return response;
    };
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    if let Some(wanted) = wanted_headers {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, wanted);
    }
    response
}

fn b64<T: WriteXdr>(v: &T) -> std::result::Result<String, RpcError> {
    use base64::Engine as _;
    // The XDR into one buffer, then base64 in one pass: `to_xdr_base64` streams each field
    // through a base64 writer, a small write at a time, which was the largest part of
    // serving getTransaction (the result meta) on a backfill.
    let bytes = v.to_xdr(Limits::none()).map_err(|e| {
        RpcError::internal(&Error::Xdr {
            what: "encoding a response",
            source: e,
        })
    })?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn from_b64<T: ReadXdr>(s: &str) -> Option<T> {
    T::from_xdr_base64(s, crate::ledger::XDR_LIMITS).ok()
}

/// RFC 3339 in UTC, as Go prints a `time.Time` (`2006-01-02T15:04:05Z`).
pub fn rfc3339(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// `POST /`: one JSON-RPC request or a batch.
async fn rpc(
    State(state): State<AppState>,
    body: std::result::Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        // The Go server reads the body through `http.MaxBytesHandler` (512 KiB); its JSON-RPC
        // bridge answers a read error with 500 and the error's text.
        Err(e) => {
            tracing::debug!(error = %e, "request body refused");
            let text = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "http: request body too large\n".to_string()
            } else {
                format!("{e}\n")
            };
            return (StatusCode::INTERNAL_SERVER_ERROR, text).into_response();
        }
    };
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        // The Go server's JSON-RPC bridge (jrpc2's jhttp) answers a body that is not JSON with
        // 500 and jrpc2's parse error as text, not with a JSON-RPC response.
        Err(e) => {
            tracing::debug!(error = %e, "unparseable request");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("[{}] invalid request value\n", code::PARSE_ERROR),
            )
                .into_response();
        }
    };
    let answers = match request {
        Value::Array(batch) => {
            let mut answers = vec![];
            for r in batch {
                if let Some(a) = call(&state, r).await {
                    answers.push(a);
                }
            }
            Value::Array(answers)
        }
        single => match call(&state, single).await {
            Some(a) => a,
            None => Value::Array(vec![]),
        },
    };
    match answers {
        // Only notifications, or an empty batch: no answer, as the Go server.
        Value::Array(a) if a.is_empty() => StatusCode::NO_CONTENT.into_response(),
        answers => Json(answers).into_response(),
    }
}

fn error_response(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Handles one request object; `None` for a notification (no `id`).
async fn call(state: &AppState, request: Value) -> Option<Value> {
    let Value::Object(mut request) = request else {
        return Some(error_response(
            Value::Null,
            code::INVALID_REQUEST,
            "request is not an object",
        ));
    };
    let id = request.remove("id");
    let version_ok = request.get("jsonrpc").and_then(Value::as_str) == Some("2.0");
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let (Some(method), true) = (method, version_ok) else {
        return Some(error_response(
            id.unwrap_or(Value::Null),
            code::INVALID_REQUEST,
            "invalid request: needs jsonrpc \"2.0\" and a method",
        ));
    };
    let params = request.remove("params").unwrap_or(Value::Null);
    let outcome = dispatch(state, &method, params).await;
    let id = id?;
    Some(match outcome {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(e) => {
            tracing::debug!(method, code = e.code, message = %e.message, "request refused");
            error_response(id, e.code, &e.message)
        }
    })
}

/// Parses `params` (an object; absent or null reads as `{}`). A member whose value is null, at
/// any depth (filters, pagination), reads as absent, as the Go stellar-rpc server treats it:
/// the Python stellar-sdk sends `"authMode": null`.
fn params<T: for<'de> Deserialize<'de> + Default>(
    mut params: Value,
) -> std::result::Result<T, RpcError> {
    drop_nulls(&mut params);
    match params {
        Value::Null => Ok(T::default()),
        Value::Object(_) => serde_json::from_value(params)
            .map_err(|e| RpcError::invalid_params(format!("invalid parameters: {e}"))),
        _ => Err(RpcError::invalid_params(
            "invalid parameters: expected an object",
        )),
    }
}

/// Removes every object member whose value is null, recursively (through arrays too).
fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod null_params_tests {
    use super::*;

    /// Every optional member of every method's parameters, sent as null, reads as absent.
    #[test]
    fn null_optional_parameters_read_as_absent() {
        fn ok<T: for<'de> Deserialize<'de> + Default>(v: Value) {
            let text = v.to_string();
            assert!(params::<T>(v).is_ok(), "refused: {text}");
        }
        ok::<AdvanceParams>(json!({"ledgers": null}));
        ok::<LedgerEntriesParams>(json!({"keys": [], "xdrFormat": null}));
        ok::<SimulateParams>(json!({"transaction": "AAAA", "authMode": null,
            "resourceConfig": null, "xdrFormat": null}));
        ok::<SendParams>(json!({"transaction": "AAAA", "xdrFormat": null}));
        ok::<GetTransactionParams>(json!({"hash": "00", "xdrFormat": null}));
        ok::<TransactionsParams>(json!({"startLedger": null, "pagination": null,
            "xdrFormat": null}));
        ok::<TransactionsParams>(json!({"pagination": {"cursor": null, "limit": null}}));
        ok::<EventsParams>(json!({"startLedger": 1, "endLedger": null, "filters": null,
            "pagination": null, "xdrFormat": null}));
        ok::<EventsParams>(json!({"startLedger": 1, "filters": [{"type": null,
            "contractIds": null, "topics": null}], "pagination": {"cursor": null,
            "limit": null}}));
        ok::<LedgersParams>(json!({"startLedger": null, "pagination": null,
            "xdrFormat": null}));
        ok::<LedgersParams>(json!({"pagination": {"cursor": null, "limit": null}}));
    }

    #[test]
    fn null_params_and_null_members_are_dropped() {
        let mut v = json!({"a": null, "b": [{"c": null, "d": 1}], "e": {"f": null}});
        drop_nulls(&mut v);
        assert_eq!(v, json!({"b": [{"d": 1}], "e": {}}));
    }
}

async fn dispatch(state: &AppState, method: &str, p: Value) -> MethodResult {
    let addr = state.addr;
    match method {
        "getHealth" => on_node(state, get_health).await,
        "getNetwork" => on_node(state, move |n| get_network(n, addr)).await,
        "getVersionInfo" => on_node(state, get_version_info).await,
        "getLatestLedger" => on_node(state, get_latest_ledger).await,
        "getLedgerEntries" => {
            let p = params(p)?;
            on_node(state, move |n| get_ledger_entries(n, p)).await
        }
        "simulateTransaction" => {
            let p = params(p)?;
            on_node(state, move |n| simulate_transaction(n, p)).await
        }
        "sendTransaction" => {
            let p = params(p)?;
            on_node(state, move |n| send_transaction(n, p)).await
        }
        "getTransaction" => {
            let p = params(p)?;
            on_node(state, move |n| get_transaction(n, p)).await
        }
        "getTransactions" => {
            let p = params(p)?;
            on_node(state, move |n| get_transactions(n, p)).await
        }
        "getFeeStats" => on_node(state, get_fee_stats).await,
        "getLedgers" => {
            let p = params(p)?;
            on_node(state, move |n| get_ledgers(n, p)).await
        }
        "getEvents" => {
            let p = params(p)?;
            on_node(state, move |n| get_events(n, p)).await
        }
        "devnet_advanceLedgers" => {
            let p: AdvanceParams = params(p)?;
            if p.ledgers == 0 || p.ledgers > crate::node::MAX_ADVANCE {
                return Err(RpcError::invalid_params(format!(
                    "ledgers must be between 1 and {}",
                    crate::node::MAX_ADVANCE
                )));
            }
            let seq = state
                .handle
                .advance(p.ledgers)
                .await
                .map_err(|e| RpcError::internal(&e))?;
            Ok(json!({ "sequence": seq }))
        }
        "devnet_closeLedger" => {
            let seq = state
                .handle
                .close_ledger()
                .await
                .map_err(|e| RpcError::internal(&e))?;
            Ok(json!({ "sequence": seq }))
        }
        _ => Err(RpcError {
            code: code::METHOD_NOT_FOUND,
            message: format!("method {method:?} not found"),
        }),
    }
}

#[derive(Default, Deserialize)]
struct AdvanceParams {
    #[serde(default)]
    ledgers: u32,
}

async fn on_node<F>(state: &AppState, f: F) -> MethodResult
where
    F: FnOnce(&mut Node) -> MethodResult + Send + 'static,
{
    state
        .handle
        .call(f)
        .await
        .map_err(|e| RpcError::internal(&e))?
}

fn latest(node: &Node) -> (u32, u64) {
    let l = node.ledger.latest();
    (l.sequence(), l.close_time())
}

fn oldest(node: &Node) -> (u32, u64) {
    let l = node.oldest_ledger();
    (l.sequence(), l.close_time())
}

fn get_health(node: &mut Node) -> MethodResult {
    Ok(json!({
        "status": "healthy",
        "latestLedger": latest(node).0,
        "oldestLedger": oldest(node).0,
        "ledgerRetentionWindow": RETENTION_WINDOW,
    }))
}

fn get_network(node: &mut Node, addr: SocketAddr) -> MethodResult {
    Ok(json!({
        "friendbotUrl": format!("http://{addr}/friendbot"),
        "passphrase": node.ledger.passphrase,
        "protocolVersion": node.ledger.protocol_version,
    }))
}

fn get_version_info(node: &mut Node) -> MethodResult {
    Ok(json!({
        "version": concat!("passa-devnet ", env!("CARGO_PKG_VERSION")),
        "commitHash": "",
        "buildTimestamp": "",
        "captiveCoreVersion": "none (soroban-env-host 29.0.1 in process)",
        "protocolVersion": node.ledger.protocol_version,
    }))
}

fn get_latest_ledger(node: &mut Node) -> MethodResult {
    let l = node.ledger.latest();
    let entry = soroban_env_host::xdr::LedgerHeaderHistoryEntry {
        hash: soroban_env_host::xdr::Hash(l.hash),
        header: l.header.clone(),
        ext: soroban_env_host::xdr::LedgerHeaderHistoryEntryExt::V0,
    };
    Ok(json!({
        "id": hex::encode(l.hash),
        "protocolVersion": node.ledger.protocol_version,
        "sequence": l.sequence(),
        "closeTime": l.close_time().to_string(),
        "headerXdr": b64(&l.header)?,
        // As the Go server: the whole LedgerCloseMeta of the latest ledger.
        "metadataXdr": b64(&close_meta(node, entry)?)?,
    }))
}

#[derive(Default, Deserialize)]
struct LedgerEntriesParams {
    #[serde(default)]
    keys: Vec<String>,
}

fn get_ledger_entries(node: &mut Node, p: LedgerEntriesParams) -> MethodResult {
    if p.keys.is_empty() {
        return Err(RpcError::invalid_params("key list is empty"));
    }
    if p.keys.len() > MAX_LEDGER_ENTRY_KEYS {
        return Err(RpcError::invalid_params(format!(
            "key count ({}) exceeds maximum supported ({MAX_LEDGER_ENTRY_KEYS})",
            p.keys.len()
        )));
    }
    let mut entries = vec![];
    for (i, text) in p.keys.iter().enumerate() {
        let key: LedgerKey = from_b64(text).ok_or_else(|| {
            RpcError::invalid_params(format!("cannot unmarshal key value {text} at index {i}"))
        })?;
        if matches!(key, LedgerKey::Ttl(_)) {
            return Err(RpcError::invalid_params(format!(
                "ledger ttl entries cannot be queried directly, key value {text} at index {i}"
            )));
        }
        let found = node
            .ledger_entry(&key)
            .map_err(|e| RpcError::internal(&e))?;
        if let Some((entry, live_until)) = found {
            let mut e = json!({
                "key": text,
                "xdr": b64(&entry.data)?,
                "lastModifiedLedgerSeq": entry.last_modified_ledger_seq,
            });
            if let Some(l) = live_until {
                e["liveUntilLedgerSeq"] = json!(l);
            }
            entries.push(e);
        }
    }
    Ok(json!({ "entries": entries, "latestLedger": latest(node).0 }))
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SimulateParams {
    #[serde(default)]
    transaction: String,
    #[serde(default)]
    auth_mode: String,
}

const AUTH_MODE_CHOICES: &str =
    "optional 'authMode' must be one of enforce,record,record_allow_nonroot when included";

/// The Go server reports simulation failures in the result's `error` field, not as JSON-RPC
/// errors.
fn sim_failure(node: &Node, message: impl Into<String>) -> MethodResult {
    Ok(json!({ "error": message.into(), "latestLedger": latest(node).0 }))
}

fn simulate_transaction(node: &mut Node, p: SimulateParams) -> MethodResult {
    let Some(envelope) = from_b64::<TransactionEnvelope>(&p.transaction) else {
        return sim_failure(node, "Could not unmarshal transaction");
    };
    let (tx_source, ops, soroban) = match &envelope {
        TransactionEnvelope::Tx(e) => (
            e.tx.source_account.clone(),
            e.tx.operations.to_vec(),
            match &e.tx.ext {
                soroban_env_host::xdr::TransactionExt::V1(d) => Some(d.clone()),
                soroban_env_host::xdr::TransactionExt::V0 => None,
            },
        ),
        _ => return sim_failure(node, "only v1 transaction envelopes can be simulated"),
    };
    if ops.len() != 1 {
        return sim_failure(node, "Transaction contains more than one operation");
    }
    if let TransactionEnvelope::Tx(e) = &envelope {
        if e.tx.memo != soroban_env_host::xdr::Memo::None {
            return sim_failure(
                node,
                "Transaction contains a memo. Soroban transactions do not support memos.",
            );
        }
    }
    let op = &ops[0];
    let source = account_of(op.source_account.as_ref().unwrap_or(&tx_source));
    let (seq, close_time) = latest(node);
    let close_time = close_time.max(unix_now());
    match &op.body {
        OperationBody::InvokeHostFunction(invoke) => {
            // As the Go server's validateAuthMode, failures in the result's `error`.
            let mode = match p.auth_mode.as_str() {
                "" if invoke.auth.is_empty() => AuthMode::Record,
                "" | "enforce" => AuthMode::Enforce,
                "record" => AuthMode::Record,
                "record_allow_nonroot" => AuthMode::RecordAllowNonRoot,
                _ => return sim_failure(node, AUTH_MODE_CHOICES),
            };
            if mode != AuthMode::Enforce && !invoke.auth.is_empty() {
                return sim_failure(
                    node,
                    format!(
                        "cannot set authMode to '{}' with an auth footprint",
                        p.auth_mode
                    ),
                );
            }
            let result = simulate::invoke(
                &node.ledger,
                &source,
                invoke.host_function.clone(),
                mode,
                invoke.auth.to_vec(),
                close_time,
            )
            .map_err(|e| RpcError::internal(&e))?;
            simulation_json(&result, &invoke.host_function, seq)
        }
        OperationBody::ExtendFootprintTtl(_) | OperationBody::RestoreFootprint(_)
            if !p.auth_mode.is_empty() =>
        {
            let message = if matches!(
                p.auth_mode.as_str(),
                "enforce" | "record" | "record_allow_nonroot"
            ) {
                "cannot set authMode with non-InvokeHostFunction operations"
            } else {
                AUTH_MODE_CHOICES
            };
            sim_failure(node, message)
        }
        OperationBody::ExtendFootprintTtl(ext) => {
            let Some(data) = soroban else {
                return sim_failure(node, "To perform a SimulateTransaction for ExtendFootprintTtl or RestoreFootprint operations, SorobanTransactionData must be provided");
            };
            let keys = data.resources.footprint.read_only.to_vec();
            let r = match simulate::extend_ttl(&node.ledger, &keys, ext.extend_to, close_time) {
                Ok(r) => r,
                // soroban-simulation refuses keys it cannot extend (not Soroban entries, …):
                // the Go server reports that in the result's `error`.
                Err(Error::Simulation { message, .. }) => return sim_failure(node, message),
                Err(e) => return Err(RpcError::internal(&e)),
            };
            let data = &r.extend.transaction_data;
            let mut out = json!({
                "transactionData": b64(data)?,
                "minResourceFee": data.resource_fee.to_string(),
                "latestLedger": seq,
            });
            if let Some(restore) = &r.restore_preamble {
                out["restorePreamble"] = json!({
                    "transactionData": b64(&restore.transaction_data)?,
                    "minResourceFee": restore.transaction_data.resource_fee.to_string(),
                });
            }
            Ok(out)
        }
        OperationBody::RestoreFootprint(_) => {
            let Some(data) = soroban else {
                return sim_failure(node, "To perform a SimulateTransaction for ExtendFootprintTtl or RestoreFootprint operations, SorobanTransactionData must be provided");
            };
            let keys = data.resources.footprint.read_write.to_vec();
            let r = match simulate::restore(&node.ledger, &keys, close_time) {
                Ok(r) => r,
                Err(Error::Simulation { message, .. }) => return sim_failure(node, message),
                Err(e) => return Err(RpcError::internal(&e)),
            };
            Ok(json!({
                "transactionData": b64(&r.transaction_data)?,
                "minResourceFee": r.transaction_data.resource_fee.to_string(),
                "latestLedger": seq,
            }))
        }
        other => sim_failure(
            node,
            format!(
                "Transaction contains unsupported operation type: {}",
                other.name()
            ),
        ),
    }
}

fn account_of(m: &soroban_env_host::xdr::MuxedAccount) -> AccountId {
    use soroban_env_host::xdr::MuxedAccount;
    match m {
        MuxedAccount::Ed25519(k) => crate::accounts::account_id(k.0),
        MuxedAccount::MuxedEd25519(m) => crate::accounts::account_id(m.ed25519.0),
    }
}

fn simulation_json(
    r: &soroban_simulation::simulation::InvokeHostFunctionSimulationResult,
    _f: &HostFunction,
    latest_ledger: u32,
) -> MethodResult {
    let events = r
        .diagnostic_events
        .iter()
        .map(b64::<DiagnosticEvent>)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let value = match &r.invoke_result {
        Ok(v) => v,
        Err(e) => {
            return Ok(json!({
                "error": format!("HostError: {e:?}"),
                "events": events,
                "latestLedger": latest_ledger,
            }))
        }
    };
    let Some(data) = &r.transaction_data else {
        return Ok(json!({
            "error": "simulation produced no transaction data",
            "events": events,
            "latestLedger": latest_ledger,
        }));
    };
    let auth = r
        .auth
        .iter()
        .map(b64)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut changes = vec![];
    for diff in &r.modified_entries {
        let key = |e: &LedgerEntry| b64(&e.to_key());
        let change = match (&diff.state_before, &diff.state_after) {
            (None, Some(a)) => {
                json!({"type": "created", "key": key(a)?, "before": null, "after": b64(a)?})
            }
            (Some(b), None) => {
                json!({"type": "deleted", "key": key(b)?, "before": b64(b)?, "after": null})
            }
            (Some(b), Some(a)) => {
                json!({"type": "updated", "key": key(a)?, "before": b64(b)?, "after": b64(a)?})
            }
            (None, None) => continue,
        };
        changes.push(change);
    }
    Ok(json!({
        "transactionData": b64(data)?,
        "minResourceFee": data.resource_fee.to_string(),
        "events": events,
        "results": [{ "auth": auth, "xdr": b64::<ScVal>(value)? }],
        "cost": {
            "cpuInsns": r.simulated_instructions.to_string(),
            "memBytes": r.simulated_memory.to_string(),
        },
        "stateChanges": changes,
        "latestLedger": latest_ledger,
    }))
}

#[derive(Default, Deserialize)]
struct SendParams {
    #[serde(default)]
    transaction: String,
}

fn send_transaction(node: &mut Node, p: SendParams) -> MethodResult {
    let Some(envelope) = from_b64::<TransactionEnvelope>(&p.transaction) else {
        return Err(RpcError::invalid_params("invalid_xdr"));
    };
    let (status, hash) = node
        .submit(&envelope, unix_now())
        .map_err(|e| RpcError::internal(&e))?;
    let (seq, close_time) = latest(node);
    let mut out = json!({
        "hash": hex::encode(hash),
        "latestLedger": seq,
        "latestLedgerCloseTime": close_time.to_string(),
    });
    out["status"] = json!(match &status {
        SubmitStatus::Pending => "PENDING",
        SubmitStatus::Duplicate => "DUPLICATE",
        SubmitStatus::TryAgainLater => "TRY_AGAIN_LATER",
        SubmitStatus::Error(_) => "ERROR",
    });
    if let SubmitStatus::Error(rejection) = &status {
        out["errorResultXdr"] = json!(b64(&rejection.to_result(0))?);
    }
    Ok(out)
}

#[derive(Default, Deserialize)]
struct GetTransactionParams {
    #[serde(default)]
    hash: String,
}

fn get_transaction(node: &mut Node, p: GetTransactionParams) -> MethodResult {
    let bytes = hex::decode(&p.hash)
        .map_err(|e| RpcError::invalid_params(format!("incorrect hash: {e}")))?;
    let hash: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        RpcError::invalid_params(format!("unexpected hash length ({})", bytes.len()))
    })?;
    let (seq, close_time) = latest(node);
    let (oldest_seq, oldest_time) = oldest(node);
    let mut out = json!({
        "latestLedger": seq,
        "latestLedgerCloseTime": close_time.to_string(),
        "oldestLedger": oldest_seq,
        "oldestLedgerCloseTime": oldest_time.to_string(),
        "txHash": p.hash.to_lowercase(),
    });
    let Some(record) = node.transaction(&hash) else {
        out["status"] = json!("NOT_FOUND");
        return Ok(out);
    };
    fill_transaction(&mut out, record)?;
    out["createdAt"] = json!(record.created_at.to_string());
    Ok(out)
}

/// The fields of an applied transaction that getTransaction and getTransactions share.
fn fill_transaction(
    out: &mut Value,
    record: &crate::node::TxRecord,
) -> std::result::Result<(), RpcError> {
    out["status"] = json!(if record.success { "SUCCESS" } else { "FAILED" });
    out["txHash"] = json!(hex::encode(record.hash));
    out["applicationOrder"] = json!(record.application_order);
    out["feeBump"] = json!(matches!(record.envelope, TransactionEnvelope::TxFeeBump(_)));
    out["envelopeXdr"] = json!(b64(&record.envelope)?);
    out["resultXdr"] = json!(b64(&record.result)?);
    out["resultMetaXdr"] = json!(b64(&record.meta)?);
    out["ledger"] = json!(record.ledger);
    // Events as the Go server lists them: per operation, from the V4 meta.
    if let soroban_env_host::xdr::TransactionMeta::V4(m) = &record.meta {
        let contract = m
            .operations
            .iter()
            .map(|op| {
                op.events
                    .iter()
                    .map(b64)
                    .collect::<std::result::Result<Vec<_>, _>>()
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let tx_events = m
            .events
            .iter()
            .map(b64)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let diagnostic = m
            .diagnostic_events
            .iter()
            .map(b64)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        out["events"] = json!({
            "transactionEventsXdr": tx_events,
            "contractEventsXdr": contract,
        });
        out["diagnosticEventsXdr"] = json!(diagnostic);
    }
    Ok(())
}

/// `getTransactions` pages: the Go server's defaults.
const TRANSACTIONS_DEFAULT_LIMIT: usize = 50;
const TRANSACTIONS_MAX_LIMIT: usize = 200;

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransactionsParams {
    #[serde(default)]
    start_ledger: u32,
    #[serde(default)]
    pagination: Option<Pagination>,
}

/// The TOID the Go server uses as a getTransactions cursor: ledger, application order and
/// operation 1.
fn tx_toid(ledger: u32, order: u32) -> i64 {
    (i64::from(ledger) << 32) | (i64::from(order) << 12) | 1
}

/// `getTransactions`: applied transactions in chain order from `startLedger` or after a
/// cursor, up to the latest ledger.
fn get_transactions(node: &mut Node, p: TransactionsParams) -> MethodResult {
    let (latest_seq, latest_time) = latest(node);
    let (oldest_seq, oldest_time) = oldest(node);
    let invalid = |message: String| RpcError {
        code: code::INVALID_REQUEST,
        message,
    };
    let cursor = p
        .pagination
        .as_ref()
        .and_then(|p| p.cursor.clone())
        .filter(|c| !c.is_empty());
    let limit = p.pagination.as_ref().and_then(|p| p.limit).unwrap_or(0);
    if cursor.is_some() && p.start_ledger != 0 {
        return Err(invalid("startLedger and cursor cannot both be set".into()));
    }
    if cursor.is_none() && (p.start_ledger < oldest_seq || p.start_ledger > latest_seq) {
        return Err(invalid(format!(
            "start ledger must be between the oldest ledger: {oldest_seq} and the latest ledger: {latest_seq} for this rpc instance"
        )));
    }
    if limit > TRANSACTIONS_MAX_LIMIT {
        return Err(invalid(format!(
            "limit must not exceed {TRANSACTIONS_MAX_LIMIT}"
        )));
    }
    let limit = if limit == 0 {
        TRANSACTIONS_DEFAULT_LIMIT
    } else {
        limit
    };
    // (ledger, first application order) to start from.
    let (start_ledger, start_order) = match &cursor {
        Some(c) => {
            let toid: i64 = c
                .parse()
                .map_err(|e| RpcError::invalid_params(format!("invalid cursor {c:?}: {e}")))?;
            if toid < 0 {
                return Err(RpcError::invalid_params(
                    "cursor ledger sequence cannot be negative",
                ));
            }
            ((toid >> 32) as u32, (((toid >> 12) & 0xF_FFFF) as u32) + 1)
        }
        None => (p.start_ledger, 1),
    };
    let mut transactions = vec![];
    let mut last = tx_toid(start_ledger, 0);
    'ledgers: for seq in start_ledger.max(oldest_seq)..=latest_seq {
        last = tx_toid(seq, 0);
        for record in node.transactions_in_ledger(seq) {
            if seq == start_ledger && record.application_order < start_order {
                continue;
            }
            last = tx_toid(seq, record.application_order);
            let mut t = json!({});
            fill_transaction(&mut t, record)?;
            t["createdAt"] = json!(record.created_at);
            transactions.push(t);
            if transactions.len() >= limit {
                break 'ledgers;
            }
        }
    }
    Ok(json!({
        "transactions": transactions,
        "latestLedger": latest_seq,
        "latestLedgerCloseTimestamp": latest_time,
        "oldestLedger": oldest_seq,
        "oldestLedgerCloseTimestamp": oldest_time,
        "cursor": last.to_string(),
    }))
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventsParams {
    #[serde(default)]
    start_ledger: u32,
    #[serde(default)]
    end_ledger: u32,
    #[serde(default)]
    filters: Vec<EventFilterParams>,
    #[serde(default)]
    pagination: Option<Pagination>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventFilterParams {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    contract_ids: Vec<String>,
    #[serde(default)]
    topics: Vec<Vec<String>>,
}

#[derive(Default, Deserialize)]
struct Pagination {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
}

fn parse_filter(f: &EventFilterParams) -> std::result::Result<Filter, RpcError> {
    let kinds = match f.kind.as_str() {
        "" => vec![],
        k @ ("contract" | "system") => vec![k.to_string()],
        other => {
            return Err(RpcError::invalid_params(format!(
                "filter type invalid: if set, type must be either 'system' or 'contract': {other}"
            )))
        }
    };
    if f.contract_ids.len() > 5 {
        return Err(RpcError::invalid_params(
            "maximum 5 contract IDs per filter",
        ));
    }
    let contract_ids = f
        .contract_ids
        .iter()
        .map(|c| {
            ContractId::from_str(c)
                .map(|id| id.0 .0)
                .map_err(|_| RpcError::invalid_params(format!("contract ID {c:?} is invalid")))
        })
        .collect::<std::result::Result<_, _>>()?;
    if f.topics.len() > 5 {
        return Err(RpcError::invalid_params("maximum 5 topics per filter"));
    }
    let mut topics = vec![];
    for t in &f.topics {
        if t.is_empty() || t.len() > 4 {
            return Err(RpcError::invalid_params(
                "topic filter must have between 1 and 4 segments",
            ));
        }
        let mut segments = vec![];
        for (i, s) in t.iter().enumerate() {
            segments.push(match s.as_str() {
                "*" => Segment::Any,
                "**" if i + 1 == t.len() => Segment::Rest,
                "**" => {
                    return Err(RpcError::invalid_params(
                        "'**' is only allowed as the last segment",
                    ))
                }
                v => Segment::Exact(from_b64::<ScVal>(v).ok_or_else(|| {
                    RpcError::invalid_params(format!("topic segment {v:?} is invalid"))
                })?),
            });
        }
        topics.push(segments);
    }
    Ok(Filter {
        kinds,
        contract_ids,
        topics,
    })
}

fn get_events(node: &mut Node, p: EventsParams) -> MethodResult {
    let (latest_seq, latest_time) = latest(node);
    let (oldest_seq, oldest_time) = oldest(node);
    if p.filters.len() > 5 {
        return Err(RpcError::invalid_params("maximum 5 filters per request"));
    }
    let filters = p
        .filters
        .iter()
        .map(parse_filter)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let cursor = p.pagination.as_ref().and_then(|p| p.cursor.clone());
    let limit = p
        .pagination
        .as_ref()
        .and_then(|p| p.limit)
        .unwrap_or(EVENTS_DEFAULT_LIMIT);
    if limit > EVENTS_MAX_LIMIT {
        return Err(RpcError::invalid_params(format!(
            "limit must not exceed {EVENTS_MAX_LIMIT}"
        )));
    }
    let limit = if limit == 0 {
        EVENTS_DEFAULT_LIMIT
    } else {
        limit
    };
    // As the Go server: a page after a cursor starts right after it; a range and a cursor
    // exclude each other; the start must be a ledger this node has.
    let (after, start) = match &cursor {
        Some(c) => {
            if p.start_ledger != 0 || p.end_ledger != 0 {
                return Err(RpcError::invalid_params(
                    "ledger ranges and cursor cannot both be set",
                ));
            }
            let id = EventId::parse(c)
                .ok_or_else(|| RpcError::invalid_params(format!("invalid cursor {c:?}")))?;
            (Some(id), id.ledger)
        }
        None if p.start_ledger == 0 => {
            return Err(RpcError::invalid_params("startLedger must be positive"))
        }
        None => (None, p.start_ledger),
    };
    if start < oldest_seq || start > latest_seq {
        return Err(RpcError {
            code: code::INVALID_REQUEST,
            message: format!(
                "startLedger must be within the ledger range: {oldest_seq} - {latest_seq}"
            ),
        });
    }
    // The range is [start, end): at most the scan window, never past the latest ledger.
    let mut end = start.saturating_add(EVENTS_LEDGER_SCAN).min(latest_seq + 1);
    if p.end_ledger != 0 {
        end = end.min(p.end_ledger);
    }
    let found = node
        .events
        .query(after, EventId::ledger_start(start), end, &filters, limit);
    let mut events = vec![];
    for e in &found {
        let topic = e
            .topics()
            .iter()
            .map(b64)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        events.push(json!({
            "type": e.kind(),
            "ledger": e.id.ledger,
            "ledgerClosedAt": rfc3339(e.ledger_close_time),
            "contractId": e.event.contract_id.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            "id": e.id.to_string(),
            // Deprecated by the Go server (the top-level cursor replaces it), still sent.
            "pagingToken": e.id.to_string(),
            "operationIndex": e.id.op_index,
            "transactionIndex": e.id.tx_order,
            "txHash": hex::encode(e.tx_hash),
            "inSuccessfulContractCall": e.in_successful_contract_call,
            "topic": topic,
            "value": b64(e.value())?,
        }));
    }
    // A full page continues after its last event; a short one after the whole range, so
    // that the next call starts where this one stopped looking.
    let next = if found.len() == limit {
        found.last().map(|e| e.id)
    } else {
        None
    }
    .unwrap_or(EventId {
        ledger: end.saturating_sub(1),
        tx_order: 0xF_FFFF,
        op_index: 0xFFF,
        event_index: u32::MAX,
    });
    Ok(json!({
        "events": events,
        "latestLedger": latest_seq,
        "latestLedgerCloseTime": latest_time.to_string(),
        "oldestLedger": oldest_seq,
        "oldestLedgerCloseTime": oldest_time.to_string(),
        "cursor": next.to_string(),
    }))
}

/// How many recent ledgers `getFeeStats` looks at (the Go server's Soroban window).
const FEE_STATS_LEDGERS: u32 = 50;

/// A fee distribution as `getFeeStats` prints it: nearest-rank percentiles of `fees`. With
/// no transactions in the window every figure is the base fee — what a client should bid.
fn fee_distribution(mut fees: Vec<i64>, ledgers: u32) -> Value {
    fees.sort_unstable();
    let base = i64::from(crate::genesis::BASE_FEE);
    let rank = |p: usize| -> String {
        if fees.is_empty() {
            return base.to_string();
        }
        let i = (p * fees.len()).div_ceil(100).max(1) - 1;
        fees[i.min(fees.len() - 1)].to_string()
    };
    // The most frequent fee; ties go to the smallest.
    let mode = fees
        .chunk_by(|a, b| a == b)
        .max_by(|a, b| a.len().cmp(&b.len()).then(b[0].cmp(&a[0])))
        .map_or(base, |run| run[0]);
    json!({
        "max": fees.last().copied().unwrap_or(base).to_string(),
        "min": fees.first().copied().unwrap_or(base).to_string(),
        "mode": mode.to_string(),
        "p10": rank(10), "p20": rank(20), "p30": rank(30), "p40": rank(40), "p50": rank(50),
        "p60": rank(60), "p70": rank(70), "p80": rank(80), "p90": rank(90), "p95": rank(95),
        "p99": rank(99),
        "transactionCount": fees.len().to_string(),
        "ledgerCount": ledgers,
    })
}

/// `getFeeStats`: the inclusion fees bid by the transactions of the last ledgers: fee minus
/// resource fee for Soroban ones, fee per operation for classic ones.
fn get_fee_stats(node: &mut Node) -> MethodResult {
    let (latest_seq, _) = latest(node);
    let first = latest_seq
        .saturating_sub(FEE_STATS_LEDGERS - 1)
        .max(oldest(node).0);
    let (mut soroban, mut classic) = (vec![], vec![]);
    for seq in first..=latest_seq {
        for t in node.transactions_in_ledger(seq) {
            if let TransactionEnvelope::Tx(e) = &t.envelope {
                match &e.tx.ext {
                    soroban_env_host::xdr::TransactionExt::V1(d) => {
                        soroban.push(i64::from(e.tx.fee) - d.resource_fee)
                    }
                    // Classic bids are per operation.
                    soroban_env_host::xdr::TransactionExt::V0 => {
                        classic.push(i64::from(e.tx.fee) / (e.tx.operations.len().max(1) as i64))
                    }
                }
            }
        }
    }
    let ledgers = latest_seq - first + 1;
    Ok(json!({
        "sorobanInclusionFee": fee_distribution(soroban, ledgers),
        "inclusionFee": fee_distribution(classic, ledgers),
        "latestLedger": latest_seq,
    }))
}

/// `getLedgers` pages: the Go server's defaults.
const LEDGERS_DEFAULT_LIMIT: usize = 50;
const LEDGERS_MAX_LIMIT: usize = 200;

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LedgersParams {
    #[serde(default)]
    start_ledger: u32,
    #[serde(default)]
    pagination: Option<LedgersPagination>,
}

#[derive(Default, Deserialize)]
struct LedgersPagination {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
}

fn get_ledgers(node: &mut Node, p: LedgersParams) -> MethodResult {
    let (latest_seq, latest_time) = latest(node);
    let (oldest_seq, oldest_time) = oldest(node);
    // The Go server reports these as invalid *requests* (-32600), not invalid params.
    let invalid = |message: String| RpcError {
        code: code::INVALID_REQUEST,
        message,
    };
    let cursor = p.pagination.as_ref().and_then(|p| p.cursor.clone());
    let limit = match p.pagination.as_ref().and_then(|p| p.limit) {
        Some(l) if l > LEDGERS_MAX_LIMIT => {
            return Err(invalid(format!(
                "limit must not exceed {LEDGERS_MAX_LIMIT}"
            )))
        }
        Some(l) if l > 0 => l,
        _ => LEDGERS_DEFAULT_LIMIT,
    };
    let start = match &cursor {
        Some(_) if p.start_ledger != 0 => {
            return Err(invalid("startLedger and cursor cannot both be set".into()))
        }
        Some(c) => {
            let after: u32 = c
                .parse()
                .map_err(|e| RpcError::invalid_params(format!("invalid cursor {c:?}: {e}")))?;
            let start = after.saturating_add(1);
            if start < oldest_seq || start > latest_seq {
                return Err(RpcError::invalid_params(format!(
                    "cursor ('{c}') must be between the oldest ledger: {oldest_seq} and the latest ledger: {latest_seq} for this rpc instance"
                )));
            }
            start
        }
        None => {
            if p.start_ledger < oldest_seq || p.start_ledger > latest_seq {
                return Err(invalid(format!(
                    "start ledger must be between the oldest ledger: {oldest_seq} and the latest ledger: {latest_seq} for this rpc instance."
                )));
            }
            p.start_ledger
        }
    };
    let end = start.saturating_add(limit as u32 - 1).min(latest_seq);
    let mut ledgers = vec![];
    for closed in (start..=end).filter_map(|s| node.ledger.header(s)) {
        let entry = soroban_env_host::xdr::LedgerHeaderHistoryEntry {
            hash: soroban_env_host::xdr::Hash(closed.hash),
            header: closed.header.clone(),
            ext: soroban_env_host::xdr::LedgerHeaderHistoryEntryExt::V0,
        };
        ledgers.push(json!({
            "hash": hex::encode(closed.hash),
            "sequence": closed.sequence(),
            "ledgerCloseTime": closed.close_time().to_string(),
            "headerXdr": b64(&entry)?,
            "metadataXdr": b64(&close_meta(node, entry)?)?,
        }));
    }
    Ok(json!({
        "ledgers": ledgers,
        "latestLedger": latest_seq,
        "latestLedgerCloseTime": latest_time,
        "oldestLedger": oldest_seq,
        "oldestLedgerCloseTime": oldest_time,
        "cursor": end.to_string(),
    }))
}

/// The `LedgerCloseMeta` of a closed ledger, rebuilt from what the node keeps: the header,
/// the transaction set and each transaction's result and meta. The fee phase's changes are
/// inside each transaction's meta (`txChangesBefore`) rather than in `feeProcessing`, and
/// there are no SCP messages, upgrades or evictions to report.
fn close_meta(
    node: &Node,
    header: soroban_env_host::xdr::LedgerHeaderHistoryEntry,
) -> std::result::Result<soroban_env_host::xdr::LedgerCloseMeta, RpcError> {
    use soroban_env_host::xdr::{
        DependentTxCluster, ExtensionPoint, GeneralizedTransactionSet, Hash, LedgerCloseMeta,
        LedgerCloseMetaExt, LedgerCloseMetaV2, ParallelTxExecutionStage, ParallelTxsComponent,
        TransactionPhase, TransactionResultMetaV1, TransactionResultPair, TransactionSetV1,
        TxSetComponent, TxSetComponentTxsMaybeDiscountedFee, VecM,
    };
    let xdr_err = |source| {
        RpcError::internal(&Error::Xdr {
            what: "building ledger close meta",
            source,
        })
    };
    let txs = node.transactions_in_ledger(header.header.ledger_seq);
    let is_classic = |t: &crate::node::TxRecord| match &t.envelope {
        TransactionEnvelope::Tx(e) => {
            matches!(e.tx.ext, soroban_env_host::xdr::TransactionExt::V0)
        }
        _ => false,
    };
    let classic_envelopes: Vec<_> = txs
        .iter()
        .filter(|t| is_classic(t))
        .map(|t| t.envelope.clone())
        .collect();
    let envelopes: Vec<_> = txs
        .iter()
        .filter(|t| !is_classic(t))
        .map(|t| t.envelope.clone())
        .collect();
    let processing: Vec<_> = txs
        .iter()
        .map(|t| TransactionResultMetaV1 {
            ext: ExtensionPoint::V0,
            result: TransactionResultPair {
                transaction_hash: Hash(t.hash),
                result: t.result.clone(),
            },
            fee_processing: Default::default(),
            tx_apply_processing: t.meta.clone(),
            post_tx_apply_fee_processing: Default::default(),
        })
        .collect();
    // As stellar-core builds it since protocol 23: a classic phase (one component, every
    // classic transaction at its own fee) and a Soroban phase of one stage, one cluster,
    // applied in order.
    let classic = if classic_envelopes.is_empty() {
        TransactionPhase::V0(VecM::default())
    } else {
        TransactionPhase::V0(
            vec![TxSetComponent::TxsetCompTxsMaybeDiscountedFee(
                TxSetComponentTxsMaybeDiscountedFee {
                    base_fee: None,
                    txs: classic_envelopes.try_into().map_err(xdr_err)?,
                },
            )]
            .try_into()
            .map_err(xdr_err)?,
        )
    };
    let stages = if envelopes.is_empty() {
        vec![]
    } else {
        let cluster = DependentTxCluster(envelopes.try_into().map_err(xdr_err)?);
        vec![ParallelTxExecutionStage(
            vec![cluster].try_into().map_err(xdr_err)?,
        )]
    };
    let soroban = TransactionPhase::V1(ParallelTxsComponent {
        base_fee: None,
        execution_stages: stages.try_into().map_err(xdr_err)?,
    });
    Ok(LedgerCloseMeta::V2(LedgerCloseMetaV2 {
        ext: LedgerCloseMetaExt::V0,
        tx_set: GeneralizedTransactionSet::V1(TransactionSetV1 {
            previous_ledger_hash: header.header.previous_ledger_hash.clone(),
            phases: vec![classic, soroban].try_into().map_err(xdr_err)?,
        }),
        ledger_header: header,
        tx_processing: processing.try_into().map_err(xdr_err)?,
        upgrades_processing: Default::default(),
        scp_info: Default::default(),
        total_byte_size_of_live_soroban_state: 0,
        evicted_keys: Default::default(),
    }))
}

#[derive(Deserialize)]
struct FriendbotQuery {
    #[serde(default)]
    addr: String,
}

fn problem(status: StatusCode, title: &str, detail: String) -> Response {
    (
        status,
        Json(json!({ "type": "https://stellar.org/horizon-errors/bad_request", "title": title, "status": status.as_u16(), "detail": detail })),
    )
        .into_response()
}

/// `GET|POST /friendbot?addr=G…`: creates and funds the account with a CreateAccount
/// transaction from the root account; answers once the ledger holding it has closed, as
/// testnet's friendbot answers once its transaction is in.
async fn friendbot(State(state): State<AppState>, Query(q): Query<FriendbotQuery>) -> Response {
    let Ok(account) = AccountId::from_str(&q.addr) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            format!("invalid address {:?}", q.addr),
        );
    };
    let funding = account.clone();
    let queued = state
        .handle
        .call(move |node| (node.fund(&funding), node.ledger.latest().sequence() + 1))
        .await;
    match queued {
        Ok((FundStatus::Queued, ledger)) => {
            if let Err(e) = state.handle.wait_for_ledger(ledger).await {
                return problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal Error",
                    e.to_string(),
                );
            }
            match state
                .handle
                .call(move |node| funded_response(node, &account))
                .await
            {
                Ok(Ok(body)) => Json(body).into_response(),
                Ok(Err((status, detail))) => problem(status, "Transaction Failed", detail),
                Err(e) => problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal Error",
                    e.to_string(),
                ),
            }
        }
        Ok((FundStatus::AlreadyFunded, _)) => problem(
            StatusCode::BAD_REQUEST,
            "Transaction Failed",
            // Both the JS SDK (`createAccountAlreadyExist`) and stellar-cli ("account
            // already funded to starting balance") recognise this as funded.
            "createAccountAlreadyExist: account already funded to starting balance".into(),
        ),
        Err(e) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Error",
            e.to_string(),
        ),
    }
}

/// What testnet's friendbot answers: the funding transaction as Horizon shows it. The JS
/// SDK's `fundAddress` looks its `hash` up with `getTransaction` and wants SUCCESS;
/// `requestAirdrop` reads the new account from `result_meta_xdr`. `Err` carries the
/// problem's status and detail.
fn funded_response(
    node: &mut Node,
    account: &AccountId,
) -> std::result::Result<Value, (StatusCode, String)> {
    let internal = |m: String| (StatusCode::INTERNAL_SERVER_ERROR, m);
    let hash = node
        .friendbot_transaction(account)
        .ok_or_else(|| internal(format!("friendbot: no transaction funded {account}")))?;
    let record = node.transaction(&hash).ok_or_else(|| {
        internal(format!(
            "friendbot: transaction {} is not in a ledger",
            hex::encode(hash)
        ))
    })?;
    let encode = |r: std::result::Result<String, RpcError>| r.map_err(|e| internal(e.message));
    let result_xdr = encode(b64(&record.result))?;
    if !record.success {
        // Another transaction created the account in the same ledger.
        return Err((
            StatusCode::BAD_REQUEST,
            format!("createAccountAlreadyExist: transaction failed (result {result_xdr})"),
        ));
    }
    Ok(json!({
        "successful": true,
        "hash": hex::encode(hash),
        "ledger": record.ledger,
        "created_at": rfc3339(record.created_at),
        "fee_charged": record.result.fee_charged.to_string(),
        "envelope_xdr": encode(b64(&record.envelope))?,
        "result_xdr": result_xdr,
        "result_meta_xdr": encode(b64(&record.meta))?,
    }))
}

/// Refuses anything but loopback: the devnet has no authentication.
pub fn check_loopback(addr: &SocketAddr) -> Result<()> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(Error::NotLoopback(*addr))
    }
}
