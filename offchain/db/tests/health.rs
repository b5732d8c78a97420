//! `passa db health` against a real, migrated database: each section reads what the server
//! knows, and a planted fault (a duplicate index, an unused one) shows up where it should.

use std::time::Duration;

use passa_db::health;
use passa_db::migrations::MIGRATOR;
use passa_testdb::TestDb;

#[tokio::test]
async fn the_report_finds_planted_duplicate_and_unused_indexes() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    sqlx::raw_sql(
        "CREATE INDEX health_dup_a ON users (phone_number);
         CREATE INDEX health_dup_b ON users (phone_number);
         SELECT count(*) FROM users WHERE email = 'x@example.com';",
    )
    .execute(&pool)
    .await
    .expect("planted");
    let mut conn = pool.acquire().await.expect("a connection");
    let report = health::read(&mut conn, Duration::from_millis(0))
        .await
        .expect("the report");
    assert!(!report.server.in_recovery);
    assert!(report.server.database_bytes > 0);
    assert!(
        report
            .duplicate_indexes
            .iter()
            .any(|g| g == &["health_dup_a".to_owned(), "health_dup_b".to_owned()]),
        "{:?}",
        report.duplicate_indexes
    );
    assert!(report
        .unused_indexes
        .iter()
        .any(|i| i.index == "health_dup_a"));
    // Enforcing indexes are never "unused": a unique index may be scanned by nobody and still
    // matter.
    assert!(!report
        .unused_indexes
        .iter()
        .any(|i| i.index.ends_with("_pkey")));
    let audit = report
        .partitions
        .iter()
        .find(|p| p.table == "audit_logs")
        .expect("audit_logs is partitioned");
    assert!(audit.months_ahead >= 1, "{audit:?}");
    assert!(report.connections.iter().map(|c| c.count).sum::<i64>() >= 1);
    match &report.statements_missing {
        None => assert!(
            !report.top_queries.is_empty(),
            "pg_stat_statements is installed"
        ),
        Some(why) => assert!(why.contains("shared_preload_libraries"), "{why}"),
    }
    let metrics = report.prometheus();
    for name in [
        "passa_db_cache_hit_ratio",
        "passa_db_connections{role=",
        "passa_db_duplicate_indexes 1",
        "passa_db_partition_months_ahead{table=\"audit_logs\"}",
    ] {
        assert!(metrics.contains(name), "{name} missing from\n{metrics}");
    }
}
