use passa_common::ttl::{DAY_IN_LEDGERS, INSTANCE_TTL_THRESHOLD, PERSISTENT_TTL_THRESHOLD};
use passa_common::Share;
use soroban_sdk::testutils::storage::{Instance as _, Persistent as _};
use soroban_sdk::testutils::{Address as _, Ledger as _};
use soroban_sdk::Address;

use super::setup;
use crate::storage::DataKey;
use crate::ContributionKind;

/// Entries touched every 45 days stay live for a year, instance included.
#[test]
fn entries_live_across_a_year_of_touches() {
    let s = setup();
    let a = Address::generate(&s.env);
    s.env.mock_all_auths();
    s.attribution.propose(
        &s.event_id,
        &a,
        &ContributionKind::Promotion,
        &Share::Percentage(100),
    );
    for step in 0..8u32 {
        s.env.ledger().with_mut(|l| {
            l.sequence_number += 45 * DAY_IN_LEDGERS;
            l.timestamp += 45 * 86_400;
        });
        // a touch: a read through a getter, or the acceptance
        if step == 4 {
            s.attribution.accept(&s.event_id, &a);
        } else {
            assert!(s.attribution.contribution(&s.event_id, &a).is_some());
            s.attribution.totals(&s.event_id);
        }
        s.env.as_contract(&s.id(), || {
            let st = s.env.storage();
            let c = DataKey::Contribution(s.event_id.clone(), a.clone());
            let t = DataKey::Totals(s.event_id.clone());
            assert!(st.persistent().get_ttl(&c) >= PERSISTENT_TTL_THRESHOLD);
            assert!(st.persistent().get_ttl(&t) >= PERSISTENT_TTL_THRESHOLD);
            assert!(st.instance().get_ttl() >= INSTANCE_TTL_THRESHOLD);
        });
    }
    assert_eq!(
        s.attribution.approved_share(&s.event_id, &a),
        Some(Share::Percentage(100))
    );
}
