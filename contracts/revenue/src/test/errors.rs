use soroban_sdk::testutils::Address as _;
use soroban_sdk::Address;

use super::setup;
use crate::RevenueError as E;
use passa_common::CommonError;

#[test]
fn admin_state_errors() {
    let s = setup();
    s.env.mock_all_auths();
    assert_eq!(
        s.revenue.try_accept_admin(),
        Err(Ok(CommonError::NoPendingAdmin))
    );
    assert_eq!(s.revenue.try_unpause(), Err(Ok(CommonError::NotPaused)));
    s.revenue.pause();
    assert_eq!(s.revenue.try_pause(), Err(Ok(CommonError::Paused)));
    let a = Address::generate(&s.env);
    assert_eq!(
        s.revenue.try_claimable(&s.event_id, &a),
        Err(Ok(E::NotSettled))
    );
}
