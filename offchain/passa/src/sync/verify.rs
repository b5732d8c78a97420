//! `passa verify`: reads the contracts' state back through simulated getter calls and lists
//! every mirror row that differs from it — tickets (holder, status, face value), events
//! (status, escrow totals) and organizers (verification). Nothing is written.

use sqlx::PgConnection;
use stellar_xdr as xdr;
use uuid::Uuid;

use super::decode::{address, as_i128, as_u32, field};
use super::{db, SyncError};
use crate::network::NetworkName;
use crate::registry::{self, ContractKind};
use crate::rpc::Rpc;

/// One difference between the chain and the mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// `ticket`, `event` or `organizer`.
    pub resource: &'static str,
    /// `<C…>:<token id>`, the event's UUID, or the organizer's address.
    pub id: String,
    /// The field that differs (`owner`, `status`, `gross_sales`, …; `exists` when the chain
    /// has no such thing).
    pub field: &'static str,
    /// What the chain says.
    pub chain: String,
    /// What the mirror says.
    pub mirror: String,
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {} is {} on chain, {} in the mirror",
            self.resource, self.id, self.field, self.chain, self.mirror
        )
    }
}

const MIRRORED_TICKETS: &str = "
SELECT token_id, COALESCE(owner_address, ''), ticket_status, COALESCE(price_raw::text, '')
  FROM tickets WHERE smart_contract_id = $1 AND token_id IS NOT NULL
 ORDER BY token_id";

const MIRRORED_EVENTS: &str = "
SELECT event_id, status, gross_sales_raw::text, royalties_raw::text, refunds_raw::text,
       commissions_raw::text
  FROM events WHERE smart_contract_id = $1 AND onchain_status IS NOT NULL
 ORDER BY event_id";

const MIRRORED_ORGANIZERS: &str = "
SELECT stellar_address, is_verified FROM organizers WHERE stellar_address IS NOT NULL
 ORDER BY stellar_address";

/// A simulated getter call; `None` when the contract refuses (no such ticket or event).
async fn read(
    rpc: &Rpc,
    reader: &xdr::AccountId,
    contract: &xdr::ScAddress,
    function: &'static str,
    args: Vec<xdr::ScVal>,
) -> Result<Option<xdr::ScVal>, SyncError> {
    match rpc.read(reader, contract, function, args).await {
        Ok(v) => Ok(Some(v)),
        Err(crate::rpc::RpcError::Simulation { .. }) => Ok(None),
        Err(e) => Err(SyncError::Rpc {
            method: "simulateTransaction",
            attempts: 1,
            detail: e.to_string(),
        }),
    }
}

/// Compares the mirror of `network`'s ticketing contracts with their state on chain.
///
/// # Errors
/// [`SyncError::NoContracts`], the database's, and RPC failures other than a getter's
/// contract error (which is reported as drift: the chain has no such thing).
pub async fn verify(rpc: &Rpc, conn: &mut PgConnection) -> Result<Vec<Drift>, SyncError> {
    let network: NetworkName = rpc.network().name;
    let contracts: Vec<registry::RegisteredContract> = registry::list(&mut *conn, Some(network))
        .await
        .map_err(db("reading the contract registry"))?
        .into_iter()
        .filter(|c| c.kind == ContractKind::Ticketing)
        .filter(|c| c.status == "active" || c.status == "paused")
        .collect();
    if contracts.is_empty() {
        return Err(SyncError::NoContracts { network });
    }
    let mut drift = vec![];
    let mut followed = vec![];
    for contract in &contracts {
        let address_of = |text: &str| crate::keys::parse_address(text).ok();
        let (Some(sc_contract), Some(xdr::ScAddress::Account(reader))) = (
            address_of(&contract.address),
            contract.deployer.as_deref().and_then(address_of),
        ) else {
            continue;
        };

        let tickets: Vec<(i64, String, String, String)> = sqlx::query_as(MIRRORED_TICKETS)
            .bind(contract.id)
            .fetch_all(&mut *conn)
            .await
            .map_err(db("reading the mirrored tickets"))?;
        for (token, owner, status, face) in &tickets {
            let id = format!("{}:{token}", contract.address);
            let Ok(token_u32) = u32::try_from(*token) else {
                continue;
            };
            let Some(ticket) = read(
                rpc,
                &reader,
                &sc_contract,
                "ticket",
                vec![xdr::ScVal::U32(token_u32)],
            )
            .await?
            else {
                drift.push(Drift {
                    resource: "ticket",
                    id,
                    field: "exists",
                    chain: "no such ticket".to_owned(),
                    mirror: status.clone(),
                });
                continue;
            };
            let chain_owner = field(&ticket, "owner")
                .and_then(|v| address(v).ok())
                .unwrap_or_default();
            let chain_status = match field(&ticket, "status").and_then(|v| as_u32(v).ok()) {
                Some(0 | 1) => "purchased",
                Some(2) => "used",
                Some(3) => "refunded",
                _ => "unknown",
            };
            let chain_face = field(&ticket, "face")
                .and_then(|v| as_i128(v).ok())
                .map(|f| f.to_string())
                .unwrap_or_default();
            for (name, chain, mirror) in [
                ("owner", chain_owner, owner.clone()),
                ("status", chain_status.to_owned(), status.clone()),
                ("face", chain_face, face.clone()),
            ] {
                if chain != mirror {
                    drift.push(Drift {
                        resource: "ticket",
                        id: id.clone(),
                        field: name,
                        chain,
                        mirror,
                    });
                }
            }
        }
        // Token ids are handed out in order: one past the mirror's last must not exist.
        let next = tickets.last().map_or(1, |t| t.0 + 1);
        if let Ok(next) = u32::try_from(next) {
            if read(
                rpc,
                &reader,
                &sc_contract,
                "ticket",
                vec![xdr::ScVal::U32(next)],
            )
            .await?
            .is_some()
            {
                drift.push(Drift {
                    resource: "ticket",
                    id: format!("{}:{next}", contract.address),
                    field: "exists",
                    chain: "minted".to_owned(),
                    mirror: "no row".to_owned(),
                });
            }
        }

        type EventRow = (Uuid, String, String, String, String, String);
        let events: Vec<EventRow> = sqlx::query_as(MIRRORED_EVENTS)
            .bind(contract.id)
            .fetch_all(&mut *conn)
            .await
            .map_err(db("reading the mirrored events"))?;
        for (event, status, gross, royalties, refunds, commissions) in events {
            let bytes =
                xdr::ScVal::Bytes(xdr::ScBytes(event.as_bytes().to_vec().try_into().map_err(
                    |_| SyncError::BadResponse {
                        what: "event id",
                        detail: event.to_string(),
                    },
                )?));
            let Some(ledger) =
                read(rpc, &reader, &sc_contract, "event_ledger", vec![bytes]).await?
            else {
                drift.push(Drift {
                    resource: "event",
                    id: event.to_string(),
                    field: "exists",
                    chain: "no such event".to_owned(),
                    mirror: status,
                });
                continue;
            };
            let chain_status = match field(&ledger, "status") {
                Some(xdr::ScVal::Vec(Some(v))) => match v.first() {
                    Some(xdr::ScVal::Symbol(s)) => s.to_utf8_string_lossy().to_lowercase(),
                    _ => "unknown".to_owned(),
                },
                _ => "unknown".to_owned(),
            };
            let total = |key: &str| {
                field(&ledger, key)
                    .and_then(|v| as_i128(v).ok())
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            };
            for (name, chain, mirror) in [
                ("status", chain_status, status.clone()),
                ("gross_sales", total("gross_sales"), gross),
                ("royalties", total("royalties"), royalties),
                ("refunds", total("refunds"), refunds),
                ("commissions", total("commissions"), commissions),
            ] {
                if chain != mirror {
                    drift.push(Drift {
                        resource: "event",
                        id: event.to_string(),
                        field: name,
                        chain,
                        mirror,
                    });
                }
            }
        }

        followed.push((sc_contract, reader));
    }

    // An organizer is verified on chain when any followed ticketing contract says so.
    let organizers: Vec<(String, bool)> = sqlx::query_as(MIRRORED_ORGANIZERS)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("reading the mirrored organizers"))?;
    for (organizer, verified) in organizers {
        let Ok(sc) = crate::keys::parse_address(&organizer) else {
            continue;
        };
        let mut chain = false;
        for (contract, reader) in &followed {
            let answer = read(
                rpc,
                reader,
                contract,
                "is_verified_organizer",
                vec![xdr::ScVal::Address(sc.clone())],
            )
            .await?;
            chain |= matches!(answer, Some(xdr::ScVal::Bool(true)));
        }
        if chain != verified {
            drift.push(Drift {
                resource: "organizer",
                id: organizer,
                field: "verified",
                chain: chain.to_string(),
                mirror: verified.to_string(),
            });
        }
    }
    Ok(drift)
}
