//! The shared entry points (admin two-step transfer, pause, upgrade) of
//! `passa_common::admin_api::AdminApi`, run natively by the suite every contract runs; the
//! wasm tests run it against the built wasm too (with a real upgrade).

use super::setup;

#[test]
fn shared_admin_pause_upgrade_entry_points() {
    let s = setup();
    passa_common::testutils::admin_suite::run(&s.env, &s.id(), &s.admin, None);
}
