use passa_common::ttl::{DAY_IN_LEDGERS, INSTANCE_TTL_THRESHOLD, PERSISTENT_TTL_THRESHOLD};
use passa_common::Share;
use soroban_sdk::testutils::storage::{Instance as _, Persistent as _};
use soroban_sdk::testutils::Ledger as _;

use super::setup;
use crate::storage::DataKey;

/// Settlement and paid entries touched every 45 days stay live for a year, instance included.
#[test]
fn entries_live_across_a_year_of_touches() {
    let s = setup();
    let payees: std::vec::Vec<_> = (0..4).map(|_| s.contributor(Share::Fixed(10))).collect();
    s.sell(1_000, None);
    s.settle();
    s.revenue.claim(&s.event_id, &payees[0]);
    for step in 1..9usize {
        s.env.ledger().with_mut(|l| {
            l.sequence_number += 45 * DAY_IN_LEDGERS;
            l.timestamp += 45 * 86_400;
        });
        match payees.get(step) {
            Some(p) => {
                s.revenue.claim(&s.event_id, p);
                s.revenue.paid(&s.event_id, &payees[0]);
            }
            None => {
                s.revenue.paid(&s.event_id, &payees[0]);
                s.revenue.settlement(&s.event_id);
            }
        }
        s.env.as_contract(&s.id(), || {
            let st = s.env.storage();
            let settlement = DataKey::Settlement(s.event_id.clone());
            let paid = DataKey::Paid(s.event_id.clone(), payees[0].clone());
            assert!(st.persistent().get_ttl(&settlement) >= PERSISTENT_TTL_THRESHOLD);
            assert!(st.persistent().get_ttl(&paid) >= PERSISTENT_TTL_THRESHOLD);
            assert!(st.instance().get_ttl() >= INSTANCE_TTL_THRESHOLD);
        });
    }
    assert_eq!(s.revenue.paid(&s.event_id, &payees[3]), 10);
}
