//! Native cost figures of the hot paths (indicative only: the wasm numbers are higher, they
//! add VM instantiation and the guest's own work). Run with `--nocapture` to print them. The
//! wasm figures and the cost report are in `wasm.rs` (feature `wasm-tests`).

#[cfg(not(feature = "wasm-tests"))]
use super::*;

#[cfg(not(feature = "wasm-tests"))]
fn report(s: &Setup, what: &str) -> i64 {
    let res = s.env.cost_estimate().resources();
    std::println!(
        "{what}: {} instructions, {} mem bytes, {} entries read ({} disk), {} written, \
         {} bytes written, {} event bytes",
        res.instructions,
        res.mem_bytes,
        res.memory_read_entries,
        res.disk_read_entries,
        res.write_entries,
        res.write_bytes,
        res.contract_events_size_bytes,
    );
    res.instructions
}

#[cfg(not(feature = "wasm-tests"))]
#[test]
fn hot_paths_stay_cheap() {
    let s = Setup::new();
    let e = s.create(1);
    let buyer = s.wallet();
    let friend = s.wallet();
    // Warm the buyer's balance entries as a real buyer would have them.
    s.buy(&buyer, &e, 1);

    s.buy(&buyer, &e, 1);
    let purchase = report(&s, "purchase x1");

    s.client.purchase(&friend, &e, &0, &s.ids(1), &1, &None);
    let purchase_new = report(&s, "purchase x1 (first ticket of the wallet)");

    s.client.transfer(&buyer, &friend, &1);
    let transfer = report(&s, "transfer");

    s.client.set_gate_operator(&s.organizer, &e, &friend);
    s.set_time(START + 60);
    s.client.check_in(&friend, &2);
    let check_in = report(&s, "check_in (gate operator)");

    // Native figures; the wasm budget is 900k / 600k / 400k.
    assert!(purchase < 900_000, "purchase {purchase}");
    assert!(purchase_new < 900_000, "purchase {purchase_new}");
    assert!(transfer < 600_000, "transfer {transfer}");
    assert!(check_in < 400_000, "check_in {check_in}");
}
