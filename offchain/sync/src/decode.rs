//! Reading the Passa contracts' events: topics and data (Soroban `ScVal`s) into [`Decoded`].
//!
//! The names, topics and data follow the contracts' `events.rs` (`#[contractevent]`: the first
//! topic is the event's name in snake case, then the `#[topic]` fields in order; the data is a
//! map of the other fields by name, or a single value for the SEP-50 events). What this module
//! cannot read is reported as an [`Undecodable`] with the reason, and the event is parked.

use stellar_xdr as xdr;
use uuid::Uuid;

use passa_db::registry::ContractKind;

/// One on-chain tier as `event_created` carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    /// Short code (a Soroban symbol).
    pub code: String,
    /// Face value, raw token units.
    pub price: i128,
    /// Tickets for sale.
    pub supply: u32,
    /// Most tickets one wallet may buy.
    pub max_per_wallet: u32,
}

/// A contributor's share (`passa_common::Share`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// Basis points of the event's percentage pool.
    Percentage(u32),
    /// A fixed amount, raw token units.
    Fixed(i128),
    /// Basis points of each sale the contributor referred.
    Commission(u32),
}

/// A Passa contract event, decoded. Addresses are strkeys; amounts raw token units; times
/// ledger timestamps (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Decoded {
    OrganizerVerified {
        organizer: String,
    },
    OrganizerRevoked {
        organizer: String,
    },
    EventCreated {
        event: Uuid,
        organizer: String,
        payment_token: String,
        tiers: Vec<Tier>,
        capacity: u32,
        sales_start: u64,
        sales_end: u64,
        start: u64,
        end: u64,
        /// What the tickets allow; `None` from a contract that does not say.
        terms: Option<TicketTerms>,
    },
    EventPostponed {
        event: Uuid,
        start: u64,
        end: u64,
    },
    EventCancelled {
        event: Uuid,
        refund_deadline: u64,
    },
    Purchased {
        event: Uuid,
        buyer: String,
        tier: u32,
        quantity: u32,
        first_token_id: u32,
        price: i128,
        amount: i128,
        referrer: Option<String>,
        commission: i128,
    },
    Transfer {
        from: String,
        to: String,
        token_id: u32,
    },
    Listed {
        token_id: u32,
        seller: String,
        price: i128,
        live_until_ledger: u32,
    },
    Delisted {
        token_id: u32,
        seller: String,
    },
    Resold {
        token_id: u32,
        seller: String,
        buyer: String,
        price: i128,
        royalty: i128,
    },
    CheckedIn {
        event: Uuid,
        token_id: u32,
        operator: String,
    },
    Refunded {
        event: Uuid,
        holder: String,
        token_id: u32,
        amount: i128,
        commission_reversed: i128,
    },
    /// `contribution_proposed` (by the organizer) or `contribution_submitted` (by the
    /// contributor).
    ContributionOpened {
        event: Uuid,
        contributor: String,
        organizer: String,
        kind: &'static str,
        share: Share,
        submitted: bool,
    },
    ContributionApproved {
        event: Uuid,
        contributor: String,
        approved_by: String,
        kind: &'static str,
        share: Share,
    },
    ContributionRejected {
        event: Uuid,
        contributor: String,
        rejected_by: String,
    },
    /// The pool is frozen; what each approved contributor earns follows from it.
    Settled {
        event: Uuid,
        pool: i128,
        pct_pool: i128,
        commissions: i128,
        fixed_total: i128,
        scaled: bool,
    },
    Claimed {
        event: Uuid,
        payee: String,
        amount: i128,
        total_paid: i128,
    },
    /// A known event the mirror has nothing to write for (yet): approvals, mints and burns
    /// (their purchase and refund carry the facts), admin and pause events, …
    Ignored,
}

/// What an event's tickets allow (`event_created`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTerms {
    pub transferable: bool,
    pub resaleable: bool,
    pub refundable: bool,
    /// Highest resale price, basis points of face value.
    pub resale_cap_bps: u32,
    /// Resale royalty, basis points of the resale price.
    pub royalty_bps: u32,
    pub metadata_uri: String,
}

/// Why an event could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undecodable {
    /// No Passa event has this name (for this contract).
    UnknownTopic(String),
    /// The name is known but the topics or data are not what the contract emits.
    Malformed(String),
}

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Undecodable::UnknownTopic(t) => write!(f, "no Passa event is named {t}"),
            Undecodable::Malformed(m) => f.write_str(m),
        }
    }
}

impl Decoded {
    /// What the event is about, as `parked_events.subject` spells it: the first key is the one
    /// it is parked under; a later event on any of these keys waits behind an open parked
    /// event with that subject, so the mirror never applies a subject's events out of order.
    pub fn subjects(&self, contract: &str) -> Vec<String> {
        let event = |e: &Uuid| format!("event:{e}");
        let ticket = |t: &u32| format!("ticket:{contract}:{t}");
        let organizer = |o: &str| format!("organizer:{o}");
        let contribution = |e: &Uuid, c: &str| format!("contribution:{e}:{c}");
        match self {
            Decoded::OrganizerVerified { organizer: o }
            | Decoded::OrganizerRevoked { organizer: o } => {
                vec![organizer(o)]
            }
            Decoded::EventCreated {
                event: e,
                organizer: o,
                ..
            } => vec![event(e), organizer(o)],
            Decoded::EventPostponed { event: e, .. }
            | Decoded::EventCancelled { event: e, .. }
            | Decoded::Purchased { event: e, .. } => vec![event(e)],
            Decoded::Transfer { token_id, .. }
            | Decoded::Listed { token_id, .. }
            | Decoded::Delisted { token_id, .. }
            | Decoded::Resold { token_id, .. } => vec![ticket(token_id)],
            Decoded::CheckedIn {
                event: e, token_id, ..
            }
            | Decoded::Refunded {
                event: e, token_id, ..
            } => vec![ticket(token_id), event(e)],
            Decoded::ContributionOpened {
                event: e,
                contributor: c,
                ..
            }
            | Decoded::ContributionApproved {
                event: e,
                contributor: c,
                ..
            }
            | Decoded::ContributionRejected {
                event: e,
                contributor: c,
                ..
            } => vec![contribution(e, c), event(e)],
            Decoded::Claimed {
                event: e, payee, ..
            } => vec![contribution(e, payee), event(e)],
            Decoded::Settled { event: e, .. } => vec![event(e)],
            Decoded::Ignored => vec![],
        }
    }
}

/// The first topic as a symbol: the event's name.
pub fn name(topics: &[xdr::ScVal]) -> Option<String> {
    match topics.first() {
        Some(xdr::ScVal::Symbol(s)) => Some(s.to_utf8_string_lossy()),
        _ => None,
    }
}

/// Decodes an event of a `kind` contract.
///
/// # Errors
/// [`Undecodable`] with the reason.
pub fn decode(
    kind: ContractKind,
    topics: &[xdr::ScVal],
    value: &xdr::ScVal,
) -> Result<Decoded, Undecodable> {
    let Some(name) = name(topics) else {
        return Err(Undecodable::Malformed(
            "the first topic is not a symbol".to_owned(),
        ));
    };
    let t = Topics {
        name: &name,
        topics,
    };
    let d = Data { name: &name, value };
    let shared = matches!(
        name.as_str(),
        "admin_transfer_started" | "admin_transferred" | "paused" | "unpaused" | "upgraded"
    );
    let decoded = match kind {
        // Shared by all three (passa_common::events).
        _ if shared => Some(Decoded::Ignored),
        ContractKind::Ticketing => ticketing(&name, &t, &d)?,
        ContractKind::Attribution => attribution(&name, &t, &d)?,
        ContractKind::Revenue => revenue(&name, &t, &d)?,
    };
    decoded
        .ok_or_else(|| Undecodable::UnknownTopic(format!("\"{name}\" (from the {kind} contract)")))
}

/// A ticketing event ([`decode`]); `None` for a name it does not emit.
fn ticketing(name: &str, t: &Topics<'_>, d: &Data<'_>) -> Result<Option<Decoded>, Undecodable> {
    Ok(Some(match name {
        "organizer_verified" => Decoded::OrganizerVerified {
            organizer: t.address(1)?,
        },
        "organizer_revoked" => Decoded::OrganizerRevoked {
            organizer: t.address(1)?,
        },
        "event_created" => Decoded::EventCreated {
            event: t.event_id(1)?,
            organizer: t.address(2)?,
            payment_token: d.address("payment_token")?,
            tiers: d.tiers("tiers")?,
            capacity: d.u32("capacity")?,
            sales_start: d.u64("sales_start")?,
            sales_end: d.u64("sales_end")?,
            start: d.u64("start")?,
            end: d.u64("end")?,
            terms: d.ticket_terms()?,
        },
        "event_postponed" => Decoded::EventPostponed {
            event: t.event_id(1)?,
            start: d.u64("start")?,
            end: d.u64("end")?,
        },
        "event_cancelled" => Decoded::EventCancelled {
            event: t.event_id(1)?,
            refund_deadline: d.u64("refund_deadline")?,
        },
        "purchased" => Decoded::Purchased {
            event: t.event_id(1)?,
            buyer: t.address(2)?,
            tier: d.u32("tier")?,
            quantity: d.u32("quantity")?,
            first_token_id: d.u32("first_token_id")?,
            price: d.i128("price")?,
            amount: d.i128("amount")?,
            referrer: d.optional_address("referrer")?,
            commission: d.i128("commission")?,
        },
        "transfer" => Decoded::Transfer {
            from: t.address(1)?,
            to: t.address(2)?,
            token_id: d.single_u32()?,
        },
        "listed" => Decoded::Listed {
            token_id: t.u32(1)?,
            seller: d.address("seller")?,
            price: d.i128("price")?,
            live_until_ledger: d.u32("live_until_ledger")?,
        },
        "delisted" => Decoded::Delisted {
            token_id: t.u32(1)?,
            seller: d.address("seller")?,
        },
        "resold" => Decoded::Resold {
            token_id: t.u32(1)?,
            seller: d.address("seller")?,
            buyer: d.address("buyer")?,
            price: d.i128("price")?,
            royalty: d.i128("royalty")?,
        },
        "checked_in" => Decoded::CheckedIn {
            event: t.event_id(1)?,
            token_id: d.u32("token_id")?,
            operator: d.address("operator")?,
        },
        "refunded" => Decoded::Refunded {
            event: t.event_id(1)?,
            holder: t.address(2)?,
            token_id: d.u32("token_id")?,
            amount: d.i128("amount")?,
            commission_reversed: d.i128("commission_reversed")?,
        },
        "mint"
        | "burn"
        | "approve"
        | "approve_for_all"
        | "gate_operator_set"
        | "gate_operator_removed"
        | "referral_rate_set" => Decoded::Ignored,

        _ => return Ok(None),
    }))
}

/// An attribution event ([`decode`]); `None` for a name it does not emit.
fn attribution(name: &str, t: &Topics<'_>, d: &Data<'_>) -> Result<Option<Decoded>, Undecodable> {
    Ok(Some(match name {
        "contribution_proposed" | "contribution_submitted" => Decoded::ContributionOpened {
            event: t.event_id(1)?,
            contributor: t.address(2)?,
            organizer: d.address("organizer")?,
            kind: d.contribution_kind("kind")?,
            share: d.share("share")?,
            submitted: name == "contribution_submitted",
        },
        "contribution_approved" => Decoded::ContributionApproved {
            event: t.event_id(1)?,
            contributor: t.address(2)?,
            approved_by: d.address("approved_by")?,
            kind: d.contribution_kind("kind")?,
            share: d.share("share")?,
        },
        "contribution_rejected" => Decoded::ContributionRejected {
            event: t.event_id(1)?,
            contributor: t.address(2)?,
            rejected_by: d.address("rejected_by")?,
        },
        "attribution_locked" => Decoded::Ignored,

        _ => return Ok(None),
    }))
}

/// A revenue event ([`decode`]); `None` for a name it does not emit.
fn revenue(name: &str, t: &Topics<'_>, d: &Data<'_>) -> Result<Option<Decoded>, Undecodable> {
    Ok(Some(match name {
        "claimed" => Decoded::Claimed {
            event: t.event_id(1)?,
            payee: t.address(2)?,
            amount: d.i128("amount")?,
            total_paid: d.i128("total_paid")?,
        },
        "settled" => Decoded::Settled {
            event: t.event_id(1)?,
            pool: d.i128("pool")?,
            pct_pool: d.i128("pct_pool")?,
            commissions: d.i128("commissions")?,
            fixed_total: d.i128("fixed_total")?,
            scaled: d.bool("scaled")?,
        },
        // The refund is mirrored from ticketing's `refunded`.
        "refund_paid" => Decoded::Ignored,

        _ => return Ok(None),
    }))
}

struct Topics<'a> {
    name: &'a str,
    topics: &'a [xdr::ScVal],
}

impl Topics<'_> {
    fn get(&self, i: usize) -> Result<&xdr::ScVal, Undecodable> {
        self.topics.get(i).ok_or_else(|| {
            Undecodable::Malformed(format!(
                "{}: topic {i} is missing ({} topics)",
                self.name,
                self.topics.len()
            ))
        })
    }

    fn address(&self, i: usize) -> Result<String, Undecodable> {
        address(self.get(i)?).map_err(|e| self.malformed(i, &e))
    }

    fn event_id(&self, i: usize) -> Result<Uuid, Undecodable> {
        event_id(self.get(i)?).map_err(|e| self.malformed(i, &e))
    }

    fn u32(&self, i: usize) -> Result<u32, Undecodable> {
        match self.get(i)? {
            xdr::ScVal::U32(v) => Ok(*v),
            other => Err(self.malformed(i, &format!("expected a u32, got {}", other.name()))),
        }
    }

    fn malformed(&self, i: usize, what: &str) -> Undecodable {
        Undecodable::Malformed(format!("{}: topic {i}: {what}", self.name))
    }
}

struct Data<'a> {
    name: &'a str,
    value: &'a xdr::ScVal,
}

impl Data<'_> {
    fn field(&self, key: &str) -> Result<&xdr::ScVal, Undecodable> {
        let xdr::ScVal::Map(Some(map)) = self.value else {
            return Err(Undecodable::Malformed(format!(
                "{}: the data is {}, not a map",
                self.name,
                self.value.name()
            )));
        };
        map.iter()
            .find(|e| matches!(&e.key, xdr::ScVal::Symbol(s) if s.as_vec() == key.as_bytes()))
            .map(|e| &e.val)
            .ok_or_else(|| {
                Undecodable::Malformed(format!("{}: the data has no field \"{key}\"", self.name))
            })
    }

    fn malformed(&self, key: &str, what: &str) -> Undecodable {
        Undecodable::Malformed(format!("{}: field \"{key}\": {what}", self.name))
    }

    fn address(&self, key: &str) -> Result<String, Undecodable> {
        address(self.field(key)?).map_err(|e| self.malformed(key, &e))
    }

    /// An `Option<Address>` field: the SDK leaves a `None` out of the map (or writes Void).
    fn optional_address(&self, key: &str) -> Result<Option<String>, Undecodable> {
        let value = match self.field(key) {
            Ok(v) => v,
            Err(_) if matches!(self.value, xdr::ScVal::Map(Some(_))) => return Ok(None),
            Err(e) => return Err(e),
        };
        match value {
            xdr::ScVal::Void => Ok(None),
            other => address(other)
                .map(Some)
                .map_err(|e| self.malformed(key, &e)),
        }
    }

    fn u32(&self, key: &str) -> Result<u32, Undecodable> {
        as_u32(self.field(key)?).map_err(|e| self.malformed(key, &e))
    }

    fn u64(&self, key: &str) -> Result<u64, Undecodable> {
        match self.field(key)? {
            xdr::ScVal::U64(v) => Ok(*v),
            other => Err(self.malformed(key, &format!("expected a u64, got {}", other.name()))),
        }
    }

    fn bool(&self, key: &str) -> Result<bool, Undecodable> {
        match self.field(key)? {
            xdr::ScVal::Bool(v) => Ok(*v),
            other => Err(self.malformed(key, &format!("expected a bool, got {}", other.name()))),
        }
    }

    fn string(&self, key: &str) -> Result<String, Undecodable> {
        match self.field(key)? {
            xdr::ScVal::String(v) => std::str::from_utf8(v.as_slice())
                .map(str::to_owned)
                .map_err(|_| self.malformed(key, "not UTF-8")),
            other => Err(self.malformed(key, &format!("expected a string, got {}", other.name()))),
        }
    }

    /// `event_created`'s ticket terms; `None` when the data has none of them (a contract
    /// from before they were emitted).
    fn ticket_terms(&self) -> Result<Option<TicketTerms>, Undecodable> {
        if self.field("transferable").is_err() {
            return Ok(None);
        }
        Ok(Some(TicketTerms {
            transferable: self.bool("transferable")?,
            resaleable: self.bool("resaleable")?,
            refundable: self.bool("refundable")?,
            resale_cap_bps: self.u32("resale_cap_bps")?,
            royalty_bps: self.u32("royalty_bps")?,
            metadata_uri: self.string("metadata_uri")?,
        }))
    }

    fn i128(&self, key: &str) -> Result<i128, Undecodable> {
        as_i128(self.field(key)?).map_err(|e| self.malformed(key, &e))
    }

    fn single_u32(&self) -> Result<u32, Undecodable> {
        as_u32(self.value)
            .map_err(|e| Undecodable::Malformed(format!("{}: the data: {e}", self.name)))
    }

    fn tiers(&self, key: &str) -> Result<Vec<Tier>, Undecodable> {
        let xdr::ScVal::Vec(Some(items)) = self.field(key)? else {
            return Err(self.malformed(key, "expected a vector of tiers"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let tier = Data {
                    name: self.name,
                    value: item,
                };
                let at = |e: Undecodable| self.malformed(key, &format!("tier {i}: {e}"));
                let code = match tier.field("code").map_err(at)? {
                    xdr::ScVal::Symbol(s) => s.to_utf8_string_lossy(),
                    other => {
                        return Err(at(Undecodable::Malformed(format!(
                            "code is {}, not a symbol",
                            other.name()
                        ))))
                    }
                };
                Ok(Tier {
                    code,
                    price: tier.i128("price").map_err(at)?,
                    supply: tier.u32("supply").map_err(at)?,
                    max_per_wallet: tier.u32("max_per_wallet").map_err(at)?,
                })
            })
            .collect()
    }

    fn share(&self, key: &str) -> Result<Share, Undecodable> {
        let bad = || {
            self.malformed(
                key,
                "expected Percentage(u32), Fixed(i128) or Commission(u32)",
            )
        };
        let xdr::ScVal::Vec(Some(parts)) = self.field(key)? else {
            return Err(bad());
        };
        match parts.as_slice() {
            [xdr::ScVal::Symbol(s), v] => match s.to_utf8_string_lossy().as_str() {
                "Percentage" => as_u32(v).map(Share::Percentage).map_err(|_| bad()),
                "Fixed" => as_i128(v).map(Share::Fixed).map_err(|_| bad()),
                "Commission" => as_u32(v).map(Share::Commission).map_err(|_| bad()),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        }
    }

    fn contribution_kind(&self, key: &str) -> Result<&'static str, Undecodable> {
        // attribution's `ContributionKind`, an integer enum, as `attribution.contribution_type`.
        match self.u32(key)? {
            0 => Ok("artist_performance"),
            1 => Ok("content_creation"),
            2 => Ok("promotion"),
            3 => Ok("sponsorship"),
            4 => Ok("organization"),
            5 => Ok("venue"),
            other => Err(self.malformed(key, &format!("no contribution kind {other}"))),
        }
    }
}

fn as_u32(v: &xdr::ScVal) -> Result<u32, String> {
    match v {
        xdr::ScVal::U32(v) => Ok(*v),
        other => Err(format!("expected a u32, got {}", other.name())),
    }
}

fn as_i128(v: &xdr::ScVal) -> Result<i128, String> {
    match v {
        xdr::ScVal::I128(parts) => Ok((i128::from(parts.hi) << 64) | i128::from(parts.lo)),
        other => Err(format!("expected an i128, got {}", other.name())),
    }
}

/// An address as its strkey (`G…`, `C…`, `M…`).
fn address(v: &xdr::ScVal) -> Result<String, String> {
    match v {
        xdr::ScVal::Address(xdr::ScAddress::Account(xdr::AccountId(
            xdr::PublicKey::PublicKeyTypeEd25519(key),
        ))) => Ok(format!("{}", stellar_strkey::ed25519::PublicKey(key.0))),
        xdr::ScVal::Address(xdr::ScAddress::Contract(xdr::ContractId(hash))) => {
            Ok(format!("{}", stellar_strkey::Contract(hash.0)))
        }
        xdr::ScVal::Address(xdr::ScAddress::MuxedAccount(m)) => Ok(format!(
            "{}",
            stellar_strkey::ed25519::MuxedAccount {
                ed25519: m.ed25519.0,
                id: m.id,
            }
        )),
        xdr::ScVal::Address(other) => Err(format!("unsupported address kind {}", other.name())),
        other => Err(format!("expected an address, got {}", other.name())),
    }
}

/// A `BytesN<16>` event id as the UUID it is.
fn event_id(v: &xdr::ScVal) -> Result<Uuid, String> {
    match v {
        xdr::ScVal::Bytes(b) => Uuid::from_slice(b.as_slice())
            .map_err(|_| format!("an event id has 16 bytes, this one {}", b.len())),
        other => Err(format!(
            "expected 16 bytes (an event id), got {}",
            other.name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(s: &str) -> xdr::ScVal {
        xdr::ScVal::Symbol(xdr::ScSymbol(s.try_into().unwrap()))
    }

    fn account(byte: u8) -> xdr::ScVal {
        xdr::ScVal::Address(xdr::ScAddress::Account(xdr::AccountId(
            xdr::PublicKey::PublicKeyTypeEd25519(xdr::Uint256([byte; 32])),
        )))
    }

    fn map(fields: Vec<(&str, xdr::ScVal)>) -> xdr::ScVal {
        xdr::ScVal::Map(Some(xdr::ScMap(
            fields
                .into_iter()
                .map(|(k, v)| xdr::ScMapEntry {
                    key: sym(k),
                    val: v,
                })
                .collect::<Vec<_>>()
                .try_into()
                .unwrap(),
        )))
    }

    fn i128v(v: i128) -> xdr::ScVal {
        passa_stellar::scval::i128(v)
    }

    #[test]
    fn a_purchase_decodes_field_by_field() {
        let id = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let topics = vec![
            sym("purchased"),
            xdr::ScVal::Bytes(xdr::ScBytes(id.as_bytes().to_vec().try_into().unwrap())),
            account(7),
        ];
        let value = map(vec![
            ("amount", i128v(-3)),
            ("commission", i128v(0)),
            ("first_token_id", xdr::ScVal::U32(5)),
            ("price", i128v(i128::MAX)),
            ("quantity", xdr::ScVal::U32(2)),
            // a None referrer is left out of the map
            ("tier", xdr::ScVal::U32(1)),
        ]);
        let decoded = decode(ContractKind::Ticketing, &topics, &value).unwrap();
        let Decoded::Purchased {
            event,
            buyer,
            price,
            amount,
            referrer,
            first_token_id,
            ..
        } = &decoded
        else {
            panic!("{decoded:?}")
        };
        assert_eq!(*event, id);
        assert_eq!(
            *buyer,
            format!("{}", stellar_strkey::ed25519::PublicKey([7; 32]))
        );
        assert_eq!((*price, *amount), (i128::MAX, -3));
        assert_eq!((referrer.clone(), *first_token_id), (None, 5));
        assert_eq!(
            decoded.subjects("CX"),
            vec![format!("event:{id}")],
            "parked under its event"
        );
    }

    #[test]
    fn an_event_created_carries_its_ticket_terms_when_the_contract_sends_them() {
        let id = Uuid::from_u128(7);
        let topics = vec![
            sym("event_created"),
            xdr::ScVal::Bytes(xdr::ScBytes(id.as_bytes().to_vec().try_into().unwrap())),
            account(3),
        ];
        let tier = map(vec![
            ("code", sym("GA")),
            ("max_per_wallet", xdr::ScVal::U32(4)),
            ("price", i128v(100)),
            ("supply", xdr::ScVal::U32(10)),
        ]);
        let mut fields = vec![
            ("capacity", xdr::ScVal::U32(10)),
            ("end", xdr::ScVal::U64(9)),
            ("payment_token", account(4)),
            ("sales_end", xdr::ScVal::U64(8)),
            ("sales_start", xdr::ScVal::U64(1)),
            ("start", xdr::ScVal::U64(5)),
            (
                "tiers",
                xdr::ScVal::Vec(Some(xdr::ScVec(vec![tier].try_into().unwrap()))),
            ),
        ];
        let terms = |decoded: Decoded| match decoded {
            Decoded::EventCreated { terms, .. } => terms,
            other => panic!("{other:?}"),
        };
        // An older contract says nothing of them.
        let old = decode(ContractKind::Ticketing, &topics, &map(fields.clone())).unwrap();
        assert_eq!(terms(old), None);
        fields.extend([
            (
                "metadata_uri",
                xdr::ScVal::String(xdr::ScString("ipfs://x".try_into().unwrap())),
            ),
            ("refundable", xdr::ScVal::Bool(false)),
            ("resale_cap_bps", xdr::ScVal::U32(11_000)),
            ("resaleable", xdr::ScVal::Bool(true)),
            ("royalty_bps", xdr::ScVal::U32(500)),
            ("transferable", xdr::ScVal::Bool(true)),
        ]);
        let new = decode(ContractKind::Ticketing, &topics, &map(fields.clone())).unwrap();
        assert_eq!(
            terms(new),
            Some(TicketTerms {
                transferable: true,
                resaleable: true,
                refundable: false,
                resale_cap_bps: 11_000,
                royalty_bps: 500,
                metadata_uri: "ipfs://x".to_owned(),
            })
        );
        // Half of them is malformed, not "none".
        fields.retain(|(k, _)| *k != "royalty_bps");
        let err = decode(ContractKind::Ticketing, &topics, &map(fields)).unwrap_err();
        assert!(
            matches!(err, Undecodable::Malformed(ref m) if m.contains("royalty_bps")),
            "{err:?}"
        );
    }

    #[test]
    fn unknown_names_and_bad_shapes_are_told_apart() {
        assert!(matches!(
            decode(
                ContractKind::Ticketing,
                &[sym("nonsense")],
                &xdr::ScVal::Void
            ),
            Err(Undecodable::UnknownTopic(_))
        ));
        // A revenue event name on the ticketing contract is not ticketing's.
        assert!(matches!(
            decode(
                ContractKind::Ticketing,
                &[sym("claimed")],
                &xdr::ScVal::Void
            ),
            Err(Undecodable::UnknownTopic(_))
        ));
        let err = decode(
            ContractKind::Ticketing,
            &[sym("transfer"), account(1), account(2)],
            &xdr::ScVal::U64(3),
        )
        .unwrap_err();
        assert_eq!(
            err,
            Undecodable::Malformed("transfer: the data: expected a u32, got U64".to_owned())
        );
        let err = decode(
            ContractKind::Ticketing,
            &[sym("event_cancelled"), xdr::ScVal::U32(1)],
            &map(vec![]),
        )
        .unwrap_err();
        assert!(
            matches!(err, Undecodable::Malformed(ref m) if m.contains("topic 1")),
            "{err:?}"
        );
        assert!(matches!(
            decode(
                ContractKind::Revenue,
                &[xdr::ScVal::U32(1)],
                &xdr::ScVal::Void
            ),
            Err(Undecodable::Malformed(_))
        ));
    }

    #[test]
    fn shares_and_kinds() {
        let value = map(vec![
            ("approved_by", account(3)),
            ("kind", xdr::ScVal::U32(2)),
            (
                "share",
                xdr::ScVal::Vec(Some(xdr::ScVec(
                    vec![sym("Commission"), xdr::ScVal::U32(250)]
                        .try_into()
                        .unwrap(),
                ))),
            ),
        ]);
        let id = Uuid::nil();
        let topics = vec![
            sym("contribution_approved"),
            xdr::ScVal::Bytes(xdr::ScBytes(id.as_bytes().to_vec().try_into().unwrap())),
            account(4),
        ];
        assert_eq!(
            decode(ContractKind::Attribution, &topics, &value).unwrap(),
            Decoded::ContributionApproved {
                event: id,
                contributor: format!("{}", stellar_strkey::ed25519::PublicKey([4; 32])),
                approved_by: format!("{}", stellar_strkey::ed25519::PublicKey([3; 32])),
                kind: "promotion",
                share: Share::Commission(250),
            }
        );
    }
}
