//! Reading the chain for `passa sync`: `getEvents` pages with every event decoded, and the
//! sender and fee of their transactions from `getTransaction`, each request retried with
//! backoff. While one page is applied the next can be read ahead ([`ReadAhead`]), so the
//! database and the RPC server work at the same time during a backfill.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use stellar_xdr as xdr;

use crate::codec::{envelope_source, from_base64, one_line};
use crate::cursor::{check_retention, Followed, Position, MAX_IDS_PER_FILTER, MAX_LEDGER_RANGE};
use crate::error::SyncError;
use crate::options::SyncOptions;
use crate::raw::Incoming;
use crate::rows::TxInfo;
use passa_stellar::network::NetworkName;
use passa_stellar::rpc::Rpc;

/// getTransaction requests in flight at once when filling in transaction details.
const DETAIL_LOOKUPS_IN_FLIGHT: usize = 32;

/// One `getEvents` page, read.
pub(crate) struct Page {
    /// The events of followed contracts, in chain order.
    pub events: Vec<Incoming>,
    /// How many events the server returned (a full page means more may follow).
    pub returned: usize,
    pub cursor: String,
    pub oldest_ledger: u32,
    pub latest_ledger: u32,
    /// The latest ledger's close time, Unix seconds as the server wrote them.
    pub latest_ledger_close_time: String,
    /// Sender and fee of the transactions of the events with something to mirror, by hash
    /// (when asked for; a transaction the server no longer keeps has none).
    pub details: HashMap<String, TxInfo>,
}

/// The RPC server, as the sync reads it.
pub(crate) struct Source {
    network: NetworkName,
    client: stellar_rpc_client::Client,
    page_size: u32,
    rpc_attempts: u32,
    transaction_details: bool,
}

impl Source {
    pub fn new(rpc: &Rpc, opts: &SyncOptions) -> Result<Self, String> {
        let client =
            stellar_rpc_client::Client::new(&rpc.network().rpc_url).map_err(|e| e.to_string())?;
        Ok(Self {
            network: rpc.network().name,
            client,
            page_size: opts.page_size,
            rpc_attempts: opts.rpc_attempts,
            transaction_details: opts.transaction_details,
        })
    }

    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// getHealth: the server's oldest and latest ledgers.
    pub async fn health(&self) -> Result<(u32, u32), SyncError> {
        let health = self
            .retrying("getHealth", || self.client.get_health())
            .await?;
        Ok((health.oldest_ledger, health.latest_ledger))
    }

    /// The network's passphrase, as the server reports it (getNetwork).
    pub async fn passphrase(&self) -> Result<String, SyncError> {
        let network = self
            .retrying("getNetwork", || self.client.get_network())
            .await?;
        Ok(network.passphrase)
    }

    /// The hash of ledger `sequence` (getLedgers), hex; `None` when the server does not say.
    pub async fn ledger_hash(&self, sequence: u32) -> Result<Option<String>, SyncError> {
        use jsonrpsee_core::client::ClientT as _;
        let bad = |detail: String| SyncError::BadResponse {
            what: "getLedgers",
            detail,
        };
        let mut params = jsonrpsee_core::params::ObjectParams::new();
        params
            .insert("startLedger", sequence)
            .and_then(|()| params.insert("pagination", serde_json::json!({ "limit": 1 })))
            .map_err(|e| bad(e.to_string()))?;
        let response: LedgersJson = self
            .retrying("getLedgers", || {
                self.client.client().request("getLedgers", params.clone())
            })
            .await?;
        Ok(response
            .ledgers
            .into_iter()
            .find(|l| l.sequence == sequence)
            .map(|l| l.hash))
    }

    /// Reads the page of `contracts`' events at `position` (a ledger range ends before `end`
    /// when given): decoded, with their transactions' details.
    pub async fn read(
        &self,
        contracts: &HashMap<String, Followed>,
        position: &Position,
        end: Option<u32>,
    ) -> Result<Page, SyncError> {
        let mut ids: Vec<String> = contracts.keys().cloned().collect();
        ids.sort();
        let response = self.fetch(&ids, position, end).await?;
        let returned = response.events.len();
        let mut events = Vec::with_capacity(returned);
        for event in response.events {
            let Some(followed) = contracts.get(&event.contract_id) else {
                // The server answered for a contract we did not ask about.
                tracing::warn!(contract = %event.contract_id, id = %event.id, "event of an unfollowed contract skipped");
                continue;
            };
            events.push(Incoming::read(event, followed.clone())?);
        }
        // Every transaction's, those that only emit ignored events too: each gets its row.
        let hashes = events.iter().map(|i| i.tx_hash.clone()).collect();
        let details = self.details(hashes).await?;
        Ok(Page {
            events,
            returned,
            cursor: response.cursor,
            oldest_ledger: response.oldest_ledger,
            latest_ledger: response.latest_ledger,
            latest_ledger_close_time: response.latest_ledger_close_time,
            details,
        })
    }

    /// The source and fee of the transactions `hashes` (several requests in flight: one per
    /// transaction adds up on a backfill). Empty unless the options ask for them.
    pub async fn details(
        &self,
        mut hashes: Vec<String>,
    ) -> Result<HashMap<String, TxInfo>, SyncError> {
        let mut found = HashMap::new();
        if !self.transaction_details || hashes.is_empty() {
            return Ok(found);
        }
        hashes.sort();
        hashes.dedup();
        let lookups = hashes.into_iter().map(|hash| async move {
            if hash.parse::<xdr::Hash>().is_err() {
                return Ok((hash, None));
            }
            let info = self.transaction_info(&hash).await?;
            Ok::<_, SyncError>((hash, info))
        });
        let answers: Vec<Result<(String, Option<TxInfo>), SyncError>> =
            futures_util::stream::iter(lookups)
                .buffer_unordered(DETAIL_LOOKUPS_IN_FLIGHT)
                .collect()
                .await;
        for answer in answers {
            if let (hash, Some(info)) = answer? {
                found.insert(hash, info);
            }
        }
        Ok(found)
    }

    /// One getEvents page at `position`; a ledger range ends before `end` when given.
    async fn fetch(
        &self,
        ids: &[String],
        position: &Position,
        end: Option<u32>,
    ) -> Result<stellar_rpc_client::GetEventsResponse, SyncError> {
        use jsonrpsee_core::client::ClientT as _;
        let filters: Vec<serde_json::Value> = ids
            .chunks(MAX_IDS_PER_FILTER)
            .map(|chunk| serde_json::json!({ "type": "contract", "contractIds": chunk }))
            .collect();
        let mut params = serde_json::Map::new();
        params.insert("filters".to_owned(), filters.into());
        let mut pagination = serde_json::json!({ "limit": self.page_size });
        match position {
            Position::Ledger(start) => {
                params.insert("startLedger".to_owned(), (*start).into());
                let cap = start.saturating_add(MAX_LEDGER_RANGE);
                let end = end.map_or(cap, |e| e.min(cap)).max(start + 1);
                params.insert("endLedger".to_owned(), end.into());
            }
            Position::Cursor { cursor, .. } => {
                pagination["cursor"] = cursor.clone().into();
            }
        }
        params.insert("pagination".to_owned(), pagination);
        let mut object = jsonrpsee_core::params::ObjectParams::new();
        for (k, v) in params {
            object.insert(&k, v).map_err(|e| SyncError::BadResponse {
                what: "request",
                detail: e.to_string(),
            })?;
        }
        let mut backoff = Backoff::new("getEvents", self.rpc_attempts);
        loop {
            let result: Result<stellar_rpc_client::GetEventsResponse, _> = self
                .client
                .client()
                .request("getEvents", object.clone())
                .await;
            let detail = match result {
                Ok(page) => return Ok(page),
                Err(e) => one_line(&e.to_string()),
            };
            // Maybe the retention window moved past us, or the chain is not the one the
            // cursor came from (a reset network's latest ledger is below it): a loud error,
            // not a retry.
            if detail.contains("ledger range") || detail.contains("must be between") {
                let (oldest, latest) = self.health().await?;
                check_retention(self.network, position, oldest, latest)?;
                let applied = position.next_ledger().saturating_sub(1);
                if applied > latest {
                    return Err(SyncError::NetworkReset {
                        network: self.network,
                        cursor_ledger: applied,
                        oldest,
                        latest,
                        detail: format!(
                            "its latest ledger {latest} is below ledger {applied} the mirror has already applied"
                        ),
                    });
                }
            }
            backoff.failed(detail).await?;
        }
    }

    /// The source and fee of transaction `hash` (`None` when the RPC does not have it).
    ///
    /// Asks getTransaction for the JSON and decodes only the envelope and the result: the
    /// typed client would also decode the result meta, by far the largest part, which the
    /// mirror does not use (most of this process's CPU on a backfill went there).
    async fn transaction_info(&self, hash: &str) -> Result<Option<TxInfo>, SyncError> {
        use jsonrpsee_core::client::ClientT as _;
        let bad = |detail: String| SyncError::BadResponse {
            what: "getTransaction",
            detail,
        };
        let mut params = jsonrpsee_core::params::ObjectParams::new();
        params
            .insert("hash", hash)
            .map_err(|e| bad(format!("request for {hash}: {e}")))?;
        let response: TransactionJson = self
            .retrying("getTransaction", || {
                self.client
                    .client()
                    .request("getTransaction", params.clone())
            })
            .await?;
        let (Some(envelope), Some(result)) = (response.envelope_xdr, response.result_xdr) else {
            return Ok(None);
        };
        let envelope = from_base64::<xdr::TransactionEnvelope>(&envelope)
            .map_err(|e| bad(format!("envelope of {hash}: {e}")))?;
        let result = from_base64::<xdr::TransactionResult>(&result)
            .map_err(|e| bad(format!("result of {hash}: {e}")))?;
        Ok(envelope_source(&envelope).map(|source| TxInfo {
            source,
            fee_charged: result.fee_charged,
        }))
    }

    async fn retrying<T, E, F, Fut>(&self, method: &'static str, call: F) -> Result<T, SyncError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
        E: std::fmt::Display,
    {
        let mut backoff = Backoff::new(method, self.rpc_attempts);
        loop {
            match call().await {
                Ok(v) => return Ok(v),
                Err(e) => backoff.failed(one_line(&e.to_string())).await?,
            }
        }
    }
}

/// The retry policy of every RPC request: up to `attempts` tries, waiting from 250 ms,
/// doubling, to at most 30 s between them.
struct Backoff {
    method: &'static str,
    attempts: u32,
    attempt: u32,
    delay: Duration,
}

impl Backoff {
    fn new(method: &'static str, attempts: u32) -> Self {
        Self {
            method,
            attempts,
            attempt: 0,
            delay: Duration::from_millis(250),
        }
    }

    /// After a failed try (`detail`): waits before the next one, or gives up with
    /// [`SyncError::Rpc`] once every attempt is spent.
    async fn failed(&mut self, detail: String) -> Result<(), SyncError> {
        self.attempt += 1;
        if self.attempt >= self.attempts {
            return Err(SyncError::Rpc {
                method: self.method,
                attempts: self.attempt,
                detail,
            });
        }
        tracing::warn!(attempt = self.attempt, method = self.method, %detail, "RPC request failed; retrying");
        tokio::time::sleep(self.delay).await;
        self.delay = (self.delay * 2).min(Duration::from_secs(30));
        Ok(())
    }
}

/// What the identity check reads of a getLedgers answer.
#[derive(serde::Deserialize)]
struct LedgersJson {
    ledgers: Vec<LedgerJson>,
}

#[derive(serde::Deserialize)]
struct LedgerJson {
    hash: String,
    sequence: u32,
}

/// What the mirror reads of a getTransaction answer (the rest, the result meta above all, is
/// skipped unparsed). Both are absent when the RPC does not have the transaction.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransactionJson {
    envelope_xdr: Option<String>,
    result_xdr: Option<String>,
}

/// The next page, being read in the background while the current one is applied. Dropping
/// it stops the reading.
pub(crate) struct ReadAhead {
    task: tokio::task::JoinHandle<Result<Page, SyncError>>,
}

impl ReadAhead {
    /// Starts reading the page of `contracts` at `position`.
    pub fn start(
        source: &Arc<Source>,
        contracts: &HashMap<String, Followed>,
        position: Position,
    ) -> Self {
        let (source, contracts) = (source.clone(), contracts.clone());
        Self {
            task: tokio::spawn(async move { source.read(&contracts, &position, None).await }),
        }
    }

    /// The page.
    pub async fn page(mut self) -> Result<Page, SyncError> {
        match (&mut self.task).await {
            Ok(page) => page,
            Err(e) => Err(SyncError::BadResponse {
                what: "page read ahead",
                detail: e.to_string(),
            }),
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.task.abort();
    }
}
