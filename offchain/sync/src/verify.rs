//! `passa verify`: reads the contracts' state back through the RPC and lists every place where
//! the mirror in PostgreSQL differs.
//!
//! What is compared, for the registered contracts of one network:
//! - every mirrored ticket: owner and status against `ticket(token_id)` (a refunded ticket is
//!   burned, or reads back `Refunded`; a listed one reads back `Listed`);
//! - every mirrored on-chain event: status and the escrow's running totals (gross sales,
//!   royalties, refunds, commissions) against `event_ledger(event_id)`, and the number of
//!   tickets mirrored against the tiers' sold counts (a ticket missing from the mirror shows
//!   here);
//! - every mirrored contribution: status and share against `contribution(event_id, address)`,
//!   and the amount paid against revenue's `paid(event_id, address)`.
//!
//! Reads are simulations: nothing is signed or sent.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use stellar_xdr as xdr;
use uuid::Uuid;

use passa_db::registry::{self, ContractKind};
use passa_stellar::keys;
use passa_stellar::network::NetworkName;
use passa_stellar::rpc::{instance_key, Rpc, RpcError};
use passa_stellar::scval::{self, DecodeError};

/// Why verification could not be done (drift is a result, not an error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The mirror could not be read.
    #[error("reading the mirror: {0}")]
    Db(#[from] sqlx::Error),
    /// The chain could not be read.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// A contract answered with a shape its interface does not have.
    #[error("{what}: {source}")]
    Decode {
        /// What was read.
        what: String,
        /// What was wrong.
        #[source]
        source: DecodeError,
    },
    /// A registered contract is not on the network the RPC serves.
    #[error(
        "the {kind} contract {address} registered for {network} is not on the network the RPC \
         serves: the network may have been reset (Stellar's testnet is, from time to time; a \
         local devnet started afresh is too). Then archive the mirror and start it over with \
         `passa sync reset --network {network} --archive-dir <DIR>` and redeploy \
         (`passa deploy --network {network}`); or point --rpc-url at the right server"
    )]
    NotOnNetwork {
        /// Which contract.
        kind: ContractKind,
        /// Its address.
        address: String,
        /// The network.
        network: NetworkName,
    },
    /// The network has no registered contract of a kind.
    #[error("no active {0} contract is registered on this network (see `passa contracts list`)")]
    NotDeployed(ContractKind),
}

/// One difference between the mirror and the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The mirror's table.
    pub table: &'static str,
    /// The row (token id, event id, event id / address).
    pub key: String,
    /// The column or fact.
    pub field: &'static str,
    /// What the mirror says.
    pub mirror: String,
    /// What the chain says.
    pub chain: String,
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {}: mirror {} ≠ chain {}",
            self.table, self.key, self.field, self.mirror, self.chain
        )
    }
}

/// What was checked and what differs.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    /// Tickets compared.
    pub tickets: usize,
    /// Events compared.
    pub events: usize,
    /// Contributions compared.
    pub contributions: usize,
    /// Every difference found.
    pub drift: Vec<Drift>,
}

const TICKETS: &str = "
SELECT t.token_id, t.owner_address, t.ticket_status, t.listed_price_raw IS NOT NULL
  FROM tickets t
  JOIN smart_contracts c ON c.contract_id = t.smart_contract_id
 WHERE c.network = $1 AND c.contract_address = $2 AND t.token_id IS NOT NULL
 ORDER BY t.token_id";

const EVENTS: &str = "
SELECT e.event_id, e.onchain_status, e.gross_sales_raw::text, e.royalties_raw::text,
       e.refunds_raw::text, e.commissions_raw::text, jsonb_array_length(e.tiers),
       (SELECT count(*) FROM tickets t WHERE t.event_id = e.event_id AND t.token_id IS NOT NULL)
  FROM events e
  JOIN smart_contracts c ON c.contract_id = e.smart_contract_id
 WHERE c.network = $1 AND c.contract_address = $2 AND e.onchain_status IS NOT NULL
 ORDER BY e.event_id";

const CONTRIBUTIONS: &str = "
SELECT a.event_id, a.contributor_address, a.status, a.share_type, a.share_bps,
       a.fixed_amount_raw::text, a.amount_paid_raw::text
  FROM attribution a
  JOIN events e ON e.event_id = a.event_id
  JOIN smart_contracts c ON c.contract_id = e.smart_contract_id
 WHERE c.network = $1 AND c.contract_address = $2 AND a.contributor_address IS NOT NULL
 ORDER BY a.event_id, a.contributor_address";

struct Reader<'a> {
    rpc: &'a Rpc,
    reader: xdr::AccountId,
}

impl Reader<'_> {
    async fn call(
        &self,
        contract: &xdr::ScAddress,
        function: &str,
        args: Vec<xdr::ScVal>,
    ) -> Result<xdr::ScVal, RpcError> {
        self.rpc.read(&self.reader, contract, function, args).await
    }
}

fn decode<T>(what: impl Into<String>, r: Result<T, DecodeError>) -> Result<T, VerifyError> {
    r.map_err(|source| VerifyError::Decode {
        what: what.into(),
        source,
    })
}

/// Compares the mirror of `network` with the chain.
///
/// # Errors
/// [`VerifyError`] when either side cannot be read; differences are in the report.
pub async fn verify(
    rpc: &Rpc,
    db: &mut PgConnection,
    network: NetworkName,
) -> Result<VerifyReport, VerifyError> {
    let rows = registry::list(db, Some(network.as_str())).await?;
    let find = |kind| {
        rows.iter()
            .find(|c| c.kind == kind && matches!(c.status.as_str(), "active" | "paused"))
            .ok_or(VerifyError::NotDeployed(kind))
    };
    let (ticketing_row, attribution_row, revenue_row) = (
        find(ContractKind::Ticketing)?,
        find(ContractKind::Attribution)?,
        find(ContractKind::Revenue)?,
    );
    for row in [ticketing_row, attribution_row, revenue_row] {
        let address = contract_address(&row.address)?;
        if rpc.entry(&instance_key(&address)).await?.is_none() {
            return Err(VerifyError::NotOnNetwork {
                kind: row.kind,
                address: row.address.clone(),
                network,
            });
        }
    }
    let mut verifier = Verifier {
        chain: Reader {
            rpc,
            reader: keys::read_source(ticketing_row.deployer.as_deref()),
        },
        ticketing: contract_address(&ticketing_row.address)?,
        attribution: contract_address(&attribution_row.address)?,
        revenue: contract_address(&revenue_row.address)?,
        report: VerifyReport::default(),
    };
    let mirrored = |statement| {
        sqlx::query(statement)
            .bind(network.as_str())
            .bind(&ticketing_row.address)
    };
    for row in mirrored(TICKETS).fetch_all(&mut *db).await? {
        verifier.ticket(&row).await?;
    }
    for row in mirrored(EVENTS).fetch_all(&mut *db).await? {
        verifier.event(&row).await?;
    }
    for row in mirrored(CONTRIBUTIONS).fetch_all(&mut *db).await? {
        verifier.contribution(&row).await?;
    }
    Ok(verifier.report)
}

fn contract_address(text: &str) -> Result<xdr::ScAddress, VerifyError> {
    keys::parse_address(text).map_err(|e| VerifyError::Decode {
        what: "registry".to_owned(),
        source: DecodeError {
            expected: "a contract address",
            found: e.to_string(),
        },
    })
}

/// The chain side of one verification, and what it found so far.
struct Verifier<'a> {
    chain: Reader<'a>,
    ticketing: xdr::ScAddress,
    attribution: xdr::ScAddress,
    revenue: xdr::ScAddress,
    report: VerifyReport,
}

impl Verifier<'_> {
    fn differs(
        &mut self,
        table: &'static str,
        key: &str,
        field: &'static str,
        mirror: String,
        chain: String,
    ) {
        self.report.drift.push(Drift {
            table,
            key: key.to_owned(),
            field,
            mirror,
            chain,
        });
    }

    /// One mirrored ticket (a [`TICKETS`] row): status and owner.
    async fn ticket(&mut self, row: &PgRow) -> Result<(), VerifyError> {
        self.report.tickets += 1;
        let token_id: i64 = row.try_get(0)?;
        let owner: Option<String> = row.try_get(1)?;
        let status: String = row.try_get(2)?;
        let listed: bool = row.try_get(3)?;
        let token = u32::try_from(token_id).unwrap_or(u32::MAX);
        let key = format!("token {token_id}");
        let (chain_status, chain_owner) = self.chain_ticket(token).await?;
        let mirrored = match (status.as_str(), listed) {
            ("purchased", true) => "listed",
            (s, _) => s,
        };
        let agrees = match (mirrored, chain_status) {
            ("refunded", "burned" | "refunded") => true,
            (m, c) => m == c,
        };
        if !agrees {
            let (m, c) = (mirrored.to_owned(), chain_status.to_owned());
            self.differs("tickets", &key, "ticket_status", m, c);
        }
        if chain_owner.is_some() && owner != chain_owner {
            let m = owner.unwrap_or_else(|| "NULL".to_owned());
            let c = chain_owner.unwrap_or_default();
            self.differs("tickets", &key, "owner_address", m, c);
        }
        Ok(())
    }

    /// A ticket's status and owner as the contract says; `burned` and no owner for one it no
    /// longer has.
    async fn chain_ticket(
        &self,
        token: u32,
    ) -> Result<(&'static str, Option<String>), VerifyError> {
        let read = self
            .chain
            .call(&self.ticketing, "ticket", vec![scval::u32(token)])
            .await;
        match read {
            Ok(ticket) => {
                let what = format!("ticket({token})");
                let s = decode(
                    &what,
                    scval::field(&ticket, "status").and_then(scval::to_u32),
                )?;
                let o = decode(
                    &what,
                    scval::field(&ticket, "owner").and_then(scval::to_address),
                )?;
                Ok((ticket_status(s), Some(keys::address_strkey(&o))))
            }
            Err(RpcError::Simulation { .. }) => Ok(("burned", None)),
            Err(e) => Err(e.into()),
        }
    }

    /// One mirrored event (an [`EVENTS`] row): status, escrow totals, tickets sold.
    async fn event(&mut self, row: &PgRow) -> Result<(), VerifyError> {
        self.report.events += 1;
        let event_id: Uuid = row.try_get(0)?;
        let status: String = row.try_get(1)?;
        let key = event_id.to_string();
        let id = event_id_value(event_id)?;
        let what = format!("event_ledger({key})");
        let ledger = match self
            .chain
            .call(&self.ticketing, "event_ledger", vec![id.clone()])
            .await
        {
            Ok(v) => v,
            Err(RpcError::Simulation { .. }) => {
                let (m, c) = ("on chain".to_owned(), "no such event".to_owned());
                self.differs("events", &key, "existence", m, c);
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        let chain_status = decode(
            &what,
            scval::field(&ledger, "status").and_then(unit_variant),
        )?;
        let status_agrees = match chain_status.as_str() {
            // Completed is derived from the end time; the stored status stays as it was.
            "Completed" => matches!(status.as_str(), "published" | "postponed"),
            s => s.eq_ignore_ascii_case(&status),
        };
        if !status_agrees {
            self.differs("events", &key, "onchain_status", status, chain_status);
        }
        for (i, (column, field)) in [
            ("gross_sales_raw", "gross_sales"),
            ("royalties_raw", "royalties"),
            ("refunds_raw", "refunds"),
            ("commissions_raw", "commissions"),
        ]
        .into_iter()
        .enumerate()
        {
            let mirror: String = row.try_get(2 + i)?;
            let on_chain = decode(&what, scval::field(&ledger, field).and_then(scval::to_i128))?;
            if mirror != on_chain.to_string() {
                self.differs("events", &key, column, mirror, on_chain.to_string());
            }
        }
        let tiers: Option<i32> = row.try_get(6)?;
        let mirrored_tickets: i64 = row.try_get(7)?;
        let sold = self.sold(&id, &key, tiers.unwrap_or(0)).await?;
        if sold != mirrored_tickets {
            let (m, c) = (mirrored_tickets.to_string(), format!("{sold} sold"));
            self.differs("tickets", &key, "count for the event", m, c);
        }
        Ok(())
    }

    /// How many tickets the event's `tiers` tiers sold, as the contract counts them.
    async fn sold(&self, id: &xdr::ScVal, key: &str, tiers: i32) -> Result<i64, VerifyError> {
        let mut sold = 0i64;
        for tier in 0..u32::try_from(tiers).unwrap_or(0) {
            let t = self
                .chain
                .call(&self.ticketing, "tier", vec![id.clone(), scval::u32(tier)])
                .await?;
            sold += i64::from(decode(
                format!("tier({key}, {tier})"),
                scval::field(&t, "sold").and_then(scval::to_u32),
            )?);
        }
        Ok(sold)
    }

    /// One mirrored contribution (a [`CONTRIBUTIONS`] row): status, share, amount paid.
    async fn contribution(&mut self, row: &PgRow) -> Result<(), VerifyError> {
        self.report.contributions += 1;
        let event_id: Uuid = row.try_get(0)?;
        let contributor: String = row.try_get(1)?;
        let status: String = row.try_get(2)?;
        let share_bps: Option<i32> = row.try_get(4)?;
        let fixed: Option<String> = row.try_get(5)?;
        let paid: String = row.try_get(6)?;
        let key = format!("{event_id} / {contributor}");
        let what = format!("contribution({key})");
        let who = decode(
            &what,
            keys::parse_address(&contributor).map_err(|e| DecodeError {
                expected: "an address",
                found: e.to_string(),
            }),
        )?;
        let args = vec![event_id_value(event_id)?, scval::address(&who)];
        let found = self
            .chain
            .call(&self.attribution, "contribution", args.clone())
            .await?;
        if matches!(found, xdr::ScVal::Void) {
            self.differs(
                "attribution",
                &key,
                "existence",
                status,
                "no contribution".to_owned(),
            );
            return Ok(());
        }
        let chain_status = match decode(
            &what,
            scval::field(&found, "status").and_then(scval::to_u32),
        )? {
            0 => "pending",
            1 => "approved",
            2 => "rejected",
            _ => "unknown",
        };
        let paid_on_chain = decode(
            format!("paid({key})"),
            scval::to_i128(&self.chain.call(&self.revenue, "paid", args).await?),
        )?;
        let mirrored_status = if status == "paid" {
            "approved"
        } else {
            status.as_str()
        };
        if mirrored_status != chain_status {
            let c = chain_status.to_owned();
            self.differs("attribution", &key, "status", status.clone(), c);
        }
        let share = decode(&what, scval::field(&found, "share"))?;
        let (kind, amount) = decode(&what, share_parts(share))?;
        let share_agrees = match kind.as_str() {
            "Fixed" => fixed.as_deref() == Some(amount.to_string().as_str()),
            _ => share_bps.map(i128::from) == Some(amount),
        };
        if !share_agrees {
            let m =
                share_bps.map_or_else(|| fixed.clone().unwrap_or_default(), |b| format!("{b} bps"));
            self.differs("attribution", &key, "share", m, format!("{kind}({amount})"));
        }
        if paid != paid_on_chain.to_string() {
            self.differs(
                "attribution",
                &key,
                "amount_paid_raw",
                paid,
                paid_on_chain.to_string(),
            );
        }
        Ok(())
    }
}

/// An event id as the contracts take it (`BytesN<16>`).
fn event_id_value(event_id: Uuid) -> Result<xdr::ScVal, VerifyError> {
    decode(
        "event id",
        scval::bytes(event_id.as_bytes()).map_err(|e| DecodeError {
            expected: "16 bytes",
            found: e.to_string(),
        }),
    )
}

fn ticket_status(code: u32) -> &'static str {
    match code {
        0 => "purchased",
        1 => "listed",
        2 => "used",
        3 => "refunded",
        _ => "unknown",
    }
}

/// The name of a unit enum variant (`[Symbol]`).
fn unit_variant(v: &xdr::ScVal) -> Result<String, DecodeError> {
    match v {
        xdr::ScVal::Vec(Some(items)) => match items.first() {
            Some(xdr::ScVal::Symbol(s)) => Ok(s.to_utf8_string_lossy()),
            _ => Err(DecodeError {
                expected: "an enum variant",
                found: format!("{v:?}"),
            }),
        },
        other => Err(DecodeError {
            expected: "an enum variant",
            found: format!("{other:?}"),
        }),
    }
}

/// A `Share` value: its variant name and its number (bps or amount).
fn share_parts(v: &xdr::ScVal) -> Result<(String, i128), DecodeError> {
    let bad = || DecodeError {
        expected: "a Share",
        found: format!("{v:?}"),
    };
    let xdr::ScVal::Vec(Some(items)) = v else {
        return Err(bad());
    };
    match (items.first(), items.get(1)) {
        (Some(xdr::ScVal::Symbol(name)), Some(value)) => {
            let amount = match value {
                xdr::ScVal::U32(n) => i128::from(*n),
                other => scval::to_i128(other)?,
            };
            Ok((name.to_utf8_string_lossy(), amount))
        }
        _ => Err(bad()),
    }
}
