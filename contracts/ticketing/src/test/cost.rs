//! Native cost figures of the hot paths (indicative only: the wasm numbers are higher, they
//! add VM instantiation and the guest's own work). Run with `--nocapture` to print them.

use super::*;

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

    s.client.purchase(&friend, &e, &0, &1, &None);
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

/// Wasm figures of the hot paths; `None` when no wasm build is available. The wasm is
/// `PASSA_TICKETING_WASM`, or `target/wasm/passa_ticketing.wasm` (written by
/// `scripts/build-contracts.sh`).
fn wasm_costs() -> Option<(i64, i64, i64)> {
    let path = std::env::var("PASSA_TICKETING_WASM").unwrap_or_else(|_| {
        std::format!(
            "{}/../../target/wasm/passa_ticketing.wasm",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    let Ok(wasm) = std::fs::read(&path) else {
        std::println!("no wasm at {path}: skipped");
        return None;
    };
    std::println!("wasm {path}: {} bytes", wasm.len());
    let s = Setup::with_wasm(Some(&wasm));
    let e = s.create(1);
    let buyer = s.wallet();
    let friend = s.wallet();
    s.buy(&buyer, &e, 1);

    s.buy(&buyer, &e, 1);
    let purchase = report(&s, "wasm purchase x1");
    if std::env::var("PASSA_PRINT_BUDGET").is_ok() {
        s.env.cost_estimate().budget().print();
    }
    s.client.transfer(&buyer, &friend, &1);
    let transfer = report(&s, "wasm transfer");
    s.client.set_gate_operator(&s.organizer, &e, &friend);
    s.set_time(START + 60);
    s.client.check_in(&friend, &2);
    let check_in = report(&s, "wasm check_in");
    if std::env::var("PASSA_PRINT_BUDGET").is_ok() {
        s.env.cost_estimate().budget().print();
    }
    Some((purchase, transfer, check_in))
}

/// Regression guard on the wasm: the figures measured with `scripts/build-contracts.sh`
/// (opt-level 3 + `wasm-opt -Oz`, 64 KiB stack, hand-encoded `CommonKey`, wasm-only upgrade:
/// purchase 942k, transfer 682k, check_in 573k) plus ~10 % headroom. See
/// `wasm_meets_the_cost_targets` for the targets.
#[test]
fn wasm_hot_paths_do_not_regress() {
    if let Some((purchase, transfer, check_in)) = wasm_costs() {
        assert!(purchase <= 1_040_000, "purchase {purchase}");
        assert!(transfer <= 750_000, "transfer {transfer}");
        assert!(check_in <= 630_000, "check_in {check_in}");
    }
}

/// The cost targets (900k / 600k / 400k instructions). Not met yet: a large part of every call
/// is the fixed price of instantiating this module (28 host imports at ~6.5k each, 42 exports
/// at ~2.3k each, 2 pages of linear memory with the 64 KiB stack); run with `--ignored` to
/// see where it stands, and see `contracts/common/REQUESTS.md`.
#[test]
#[ignore = "cost targets not met yet; see the doc comment"]
fn wasm_meets_the_cost_targets() {
    if let Some((purchase, transfer, check_in)) = wasm_costs() {
        assert!(purchase <= 900_000, "purchase {purchase}");
        assert!(transfer <= 600_000, "transfer {transfer}");
        assert!(check_in <= 400_000, "check_in {check_in}");
    }
}
