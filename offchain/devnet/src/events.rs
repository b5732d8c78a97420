//! Contract events kept for `getEvents`, with the RPC's ids: the TOID of the operation
//! (ledger << 32 | application order << 12 | operation index) and the event's index, printed
//! as `%019d-%010d`. A cursor is such an id; a page continues strictly after it.
use soroban_env_host::xdr::{ContractEvent, ContractEventBody, ContractEventType, ScVal};

/// Position of an event in the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId {
    pub ledger: u32,
    /// 1-based application order of the transaction in its ledger.
    pub tx_order: u32,
    pub op_index: u32,
    pub event_index: u32,
}

impl EventId {
    /// The TOID (total order id) of the operation, as Horizon and the RPC compute it.
    pub fn toid(&self) -> i64 {
        (i64::from(self.ledger) << 32) | (i64::from(self.tx_order) << 12) | i64::from(self.op_index)
    }

    /// The first possible id of a ledger: where a `startLedger` query begins.
    pub fn ledger_start(ledger: u32) -> Self {
        Self {
            ledger,
            tx_order: 0,
            op_index: 0,
            event_index: 0,
        }
    }

    /// Parses `%019d-%010d`.
    pub fn parse(s: &str) -> Option<Self> {
        let (toid, index) = s.split_once('-')?;
        let toid: i64 = toid.parse().ok()?;
        let event_index: u32 = index.parse().ok()?;
        if toid < 0 {
            return None;
        }
        Some(Self {
            ledger: (toid >> 32) as u32,
            tx_order: ((toid >> 12) & 0xF_FFFF) as u32,
            op_index: (toid & 0xFFF) as u32,
            event_index,
        })
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:019}-{:010}", self.toid(), self.event_index)
    }
}

/// One stored event.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    pub id: EventId,
    pub event: ContractEvent,
    pub tx_hash: [u8; 32],
    /// Close time of its ledger, Unix seconds.
    pub ledger_close_time: u64,
    pub in_successful_contract_call: bool,
}

impl StoredEvent {
    pub fn topics(&self) -> &[ScVal] {
        let ContractEventBody::V0(v0) = &self.event.body;
        v0.topics.as_slice()
    }
    pub fn value(&self) -> &ScVal {
        let ContractEventBody::V0(v0) = &self.event.body;
        &v0.data
    }
    /// "contract", "system" or "diagnostic", as the RPC names them.
    pub fn kind(&self) -> &'static str {
        match self.event.type_ {
            ContractEventType::Contract => "contract",
            ContractEventType::System => "system",
            ContractEventType::Diagnostic => "diagnostic",
        }
    }
}

/// One segment of a topic filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// `*`: exactly one topic, any value.
    Any,
    /// `**`: any number of topics (only as the last segment).
    Rest,
    Exact(ScVal),
}

/// A filter as `getEvents` takes it (already parsed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// Event types; empty for all.
    pub kinds: Vec<String>,
    /// Contract ids (raw); empty for all.
    pub contract_ids: Vec<[u8; 32]>,
    /// Topic filters; an event matches when one of them does; empty for all.
    pub topics: Vec<Vec<Segment>>,
}

impl Filter {
    pub fn matches(&self, e: &StoredEvent) -> bool {
        if !self.kinds.is_empty() && !self.kinds.iter().any(|k| k == e.kind()) {
            return false;
        }
        if !self.contract_ids.is_empty() {
            let Some(id) = &e.event.contract_id else {
                return false;
            };
            if !self.contract_ids.contains(&id.0 .0) {
                return false;
            }
        }
        self.topics.is_empty() || self.topics.iter().any(|t| topic_matches(t, e.topics()))
    }
}

fn topic_matches(filter: &[Segment], topics: &[ScVal]) -> bool {
    match (filter.split_first(), topics.split_first()) {
        (None, None) => true,
        (Some((Segment::Rest, _)), _) => true,
        (Some((Segment::Any, f)), Some((_, t))) => topic_matches(f, t),
        (Some((Segment::Exact(v), f)), Some((x, t))) => v == x && topic_matches(f, t),
        _ => false,
    }
}

/// Every event, in chain order (append-only).
#[derive(Default)]
pub struct EventStore {
    events: Vec<StoredEvent>,
}

impl EventStore {
    pub fn push(&mut self, e: StoredEvent) {
        self.events.push(e);
    }

    /// Forgets the events of ledgers before `ledger` (outside the retention window).
    pub fn trim_before(&mut self, ledger: u32) {
        let n = self.events.partition_point(|e| e.id.ledger < ledger);
        self.events.drain(..n);
    }

    pub fn all(&self) -> &[StoredEvent] {
        &self.events
    }

    /// Events after `after` (exclusive) and before ledger `end_ledger` (exclusive) matching
    /// any of `filters` (all events when there are none), at most `limit`. Also returns the
    /// id of the last event examined, so a caller can build a cursor that skips what it saw.
    pub fn query(
        &self,
        after: Option<EventId>,
        from: EventId,
        end_ledger: u32,
        filters: &[Filter],
        limit: usize,
    ) -> Vec<&StoredEvent> {
        let start = self.events.partition_point(|e| match after {
            Some(a) => e.id <= a,
            None => e.id < from,
        });
        self.events[start..]
            .iter()
            .take_while(|e| e.id.ledger < end_ledger)
            .filter(|e| filters.is_empty() || filters.iter().any(|f| f.matches(e)))
            .take(limit)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use soroban_env_host::xdr::ScSymbol;

    fn sym(s: &str) -> ScVal {
        ScVal::Symbol(ScSymbol(s.try_into().unwrap()))
    }

    #[test]
    fn id_round_trips_and_orders() {
        let id = EventId {
            ledger: 7,
            tx_order: 2,
            op_index: 0,
            event_index: 3,
        };
        let s = id.to_string();
        assert_eq!(s, format!("{:019}-0000000003", (7i64 << 32) | (2 << 12)));
        assert_eq!(EventId::parse(&s), Some(id));
        assert!(EventId::parse("nonsense").is_none());
        assert!(EventId::ledger_start(7) < id);
    }

    #[test]
    fn topic_wildcards() {
        let t = [sym("bumped"), sym("alice"), sym("x")];
        let m = |f: Vec<Segment>| topic_matches(&f, &t);
        assert!(m(vec![
            Segment::Exact(sym("bumped")),
            Segment::Any,
            Segment::Any
        ]));
        assert!(!m(vec![Segment::Exact(sym("bumped")), Segment::Any]));
        assert!(m(vec![Segment::Exact(sym("bumped")), Segment::Rest]));
        assert!(m(vec![Segment::Rest]));
        assert!(!m(vec![Segment::Exact(sym("other")), Segment::Rest]));
    }
}
