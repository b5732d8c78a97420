//! The Passa schema against a real PostgreSQL: every migration reverses cleanly, and every
//! constraint, foreign-key action and business rule of `passa-schema.md` refuses the row that
//! breaks it (with the expected SQLSTATE and constraint name) and accepts the row that keeps it.
//!
//! Each test gets a fresh database of its own (`passa_testdb::TestDb`) on the server named by
//! `DATABASE_URL`.

use std::time::Duration;

use passa_testdb::TestDb;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgQueryResult;
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

use passa_db::seed::SEED_SQL;

const UNIQUE: &str = "23505";
const CHECK: &str = "23514";
const FOREIGN_KEY: &str = "23503";
const NOT_NULL: &str = "23502";

const ORGANIZER: &str = "00000000-0000-0000-0000-00000000000a";
const FAN: &str = "00000000-0000-0000-0000-00000000000b";
const ARTIST: &str = "00000000-0000-0000-0000-00000000000c";
const UNVERIFIED: &str = "00000000-0000-0000-0000-00000000000d";
const EVENT: &str = "00000000-0000-0000-0000-0000000000e1";

const FIXTURES: &str = r#"
INSERT INTO users (user_id, username, email) VALUES
    ('00000000-0000-0000-0000-00000000000a', 'wanjiku_events', 'wanjiku@passa.test'),
    ('00000000-0000-0000-0000-00000000000b', 'otieno', 'otieno@passa.test'),
    ('00000000-0000-0000-0000-00000000000c', 'sauti_sol', 'sauti@passa.test'),
    ('00000000-0000-0000-0000-00000000000d', 'newcomer', 'newcomer@passa.test');
INSERT INTO organizers (user_id, company_name, is_verified, verified_at) VALUES
    ('00000000-0000-0000-0000-00000000000a', 'Wanjiku Events Ltd', true, now()),
    ('00000000-0000-0000-0000-00000000000d', 'Newcomer Shows', false, NULL);
INSERT INTO events (event_id, organizer_user_id, title, slug, start_datetime, end_datetime, status, capacity) VALUES
    ('00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-00000000000a',
     'Nairobi Jazz Night', 'nairobi-jazz-night', '2027-01-10 18:00Z', '2027-01-10 23:00Z', 'published', 500);
"#;

/// Every statement here is written by this file, never built from outside input.
fn trusted(sql: &str) -> AssertSqlSafe<String> {
    AssertSqlSafe(sql.to_owned())
}

async fn exec(pool: &PgPool, sql: &str) -> Result<PgQueryResult, sqlx::Error> {
    sqlx::raw_sql(trusted(sql)).execute(pool).await
}

async fn fixtures(pool: &PgPool) {
    exec(pool, FIXTURES).await.expect("fixtures load");
}

async fn scalar(pool: &PgPool, sql: &str) -> String {
    sqlx::query_scalar::<_, Option<String>>(trusted(sql))
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap_or_else(|| "NULL".to_owned())
}

/// Asserts the statement was refused by the database with `code` on `constraint`.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(
    result: Result<T, sqlx::Error>,
    code: &str,
    constraint: &str,
) {
    match result {
        Err(sqlx::Error::Database(e)) => {
            assert_eq!(e.code().as_deref(), Some(code), "wrong SQLSTATE: {e}");
            assert_eq!(e.constraint(), Some(constraint), "wrong constraint: {e}");
        }
        other => panic!("expected {code} on {constraint}, got {other:?}"),
    }
}

async fn refused(pool: &PgPool, sql: &str, code: &str, constraint: &str) {
    assert_refused(exec(pool, sql).await, code, constraint);
}

async fn accepted(pool: &PgPool, sql: &str) {
    if let Err(e) = exec(pool, sql).await {
        panic!("expected {sql} to be accepted: {e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Migrations
// ---------------------------------------------------------------------------------------------

/// Everything the migrations own in the public schema, described by name and definition (never
/// by OID), so two snapshots are equal exactly when the schema is the same.
async fn catalog(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        r#"
        SELECT kind || ' ' || name || ' ' || COALESCE(def, '') FROM (
            SELECT 'relation' AS kind, c.relname::text AS name, c.relkind::text AS def
              FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'column', c.relname || '.' || a.attname,
                   format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull
                   || ' default=' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
                   || ' generated=' || a.attgenerated::text
              FROM pg_attribute a
              JOIN pg_class c ON c.oid = a.attrelid
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT 'constraint', conrelid::regclass || '.' || conname, pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid)
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE c.relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'function', p.oid::regprocedure::text, md5(p.prosrc)
              FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'trigger', t.tgrelid::regclass || '.' || t.tgname, pg_get_triggerdef(t.oid)
              FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
            UNION ALL
            SELECT 'type', t.typname::text, t.typtype::text
              FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'comment', d.objoid::regclass || '.' || COALESCE(a.attname, ''), md5(d.description)
              FROM pg_description d JOIN pg_class c ON c.oid = d.objoid
              LEFT JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid AND d.objsubid > 0
             WHERE d.classoid = 'pg_class'::regclass AND c.relnamespace = 'public'::regnamespace
        ) objects
        WHERE name NOT LIKE '%\_sqlx\_migrations%'
        ORDER BY 1
        "#,
    )
    .fetch_all(pool)
    .await
    .expect("catalog snapshot")
    .into_iter()
    // setup.sh creates pg_stat_statements in template1 (query insight), so every new database
    // starts with its objects; they belong to no migration.
    .filter(|object: &String| !object.contains("pg_stat_statements"))
    .collect()
}

/// Compares two catalog snapshots, printing only what differs.
#[track_caller]
fn assert_same_catalog(actual: &[String], expected: &[String], context: &str) {
    let missing: Vec<_> = expected.iter().filter(|o| !actual.contains(o)).collect();
    let stray: Vec<_> = actual.iter().filter(|o| !expected.contains(o)).collect();
    assert!(
        missing.is_empty() && stray.is_empty(),
        "{context}\nmissing: {missing:#?}\nstray: {stray:#?}"
    );
}

/// Each migration's down undoes exactly its up: stepping up, down and up again at every version
/// gives back the same catalog, and walking all the way down leaves nothing but sqlx's table.
#[tokio::test]
async fn every_migration_reverses_without_stray_objects() {
    let db = TestDb::empty().await;
    let pool = db.pool();
    let versions: Vec<i64> = MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| m.version)
        .collect();
    // Wave 2's migrations are numbered from 0040, leaving the seed's numbering room.
    let expected: Vec<i64> = (1..=25).chain([40]).collect();
    assert_eq!(
        versions, expected,
        "the seed's 21 migrations, the chain's (0022–0025), then wave 2's (0040…), in order"
    );

    let mut before = catalog(&pool).await;
    assert!(before.is_empty(), "fresh database has objects: {before:?}");
    let mut previous = 0;
    for &version in &versions {
        MIGRATOR.run_to(version, &pool).await.expect("up");
        let after = catalog(&pool).await;
        assert_ne!(after, before, "migration {version} created nothing");

        MIGRATOR.undo(&pool, previous).await.expect("down");
        assert_same_catalog(
            &catalog(&pool).await,
            &before,
            &format!("down of {version}"),
        );

        MIGRATOR.run_to(version, &pool).await.expect("up again");
        assert_same_catalog(
            &catalog(&pool).await,
            &after,
            &format!("up after down of {version}"),
        );
        before = after;
        previous = version;
    }

    MIGRATOR.undo(&pool, 0).await.expect("all the way down");
    assert_same_catalog(&catalog(&pool).await, &[], "after reverting everything");
    MIGRATOR.run(&pool).await.expect("all the way up again");
    assert_same_catalog(&catalog(&pool).await, &before, "all the way up again");
}

/// 0025's format checks accept exactly the strings the regexes they replaced accepted: a fixed
/// list of edge cases (each length ±1, every character class boundary, a trailing blank,
/// non-ASCII, NULL) and 20 000 random strings near each format, compared one by one.
#[tokio::test]
async fn fast_format_checks_accept_what_the_regexes_accepted() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let g55 = format!("G{}", "A".repeat(55));
    let c55 = format!("C{}", "B".repeat(55));
    let hex = "0123456789abcdef".repeat(4);
    let edge_cases = [
        g55.clone(),
        format!("{g55}A"),
        g55[..55].to_owned(),
        format!("C{}7", "2".repeat(54)),
        c55.clone(),
        format!("{c55}Z"),
        c55[..55].to_owned(),
        format!("{}1", &g55[..55]),
        format!("{}8", &g55[..55]),
        format!("{}a", &g55[..55]),
        format!("{} ", &g55[..55]),
        format!("{}É", &g55[..55]),
        format!("M{}", "A".repeat(68)),
        format!("M{}", "A".repeat(67)),
        format!("M{}", "A".repeat(69)),
        format!("X{}", "A".repeat(55)),
        hex.clone(),
        hex.to_uppercase(),
        format!("{hex}0"),
        hex[..63].to_owned(),
        format!("{}g", &hex[..63]),
        format!("{}-{}", "1".repeat(19), "2".repeat(10)),
        format!("{}-{}", "1".repeat(18), "2".repeat(11)),
        format!("{}-{}", "1".repeat(20), "2".repeat(9)),
        format!("{}--{}", "1".repeat(19), "2".repeat(9)),
        format!("{}x{}", "1".repeat(19), "2".repeat(10)),
        format!("{}-{}-", "1".repeat(19), "2".repeat(9)),
        "general".to_owned(),
        "A".repeat(32),
        "A".repeat(33),
        "vip_2-b".to_owned(),
        "vip 2".to_owned(),
        "tiér".to_owned(),
        String::new(),
    ];
    let list: Vec<String> = edge_cases
        .iter()
        .map(|s| format!("('{}')", s.replace('\'', "''")))
        .collect();
    let sql = format!(
        r#"
        WITH edge(s) AS (VALUES {edges}, (NULL)),
        random(s) AS (
            SELECT string_agg(substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1), '')
              FROM (SELECT setseed(0.25)) seeded,
                   generate_series(1, 20000) AS n,
                   LATERAL (SELECT CASE n % 4 WHEN 0 THEN 'GCMA27Z1a '
                                              WHEN 1 THEN '0123456789abcdefg'
                                              WHEN 2 THEN '0123456789-'
                                              ELSE 'Az09_-. ' END AS alphabet,
                                   CASE n % 4 WHEN 0 THEN 54 + n % 17 WHEN 1 THEN 62 + n % 4
                                              WHEN 2 THEN 28 + n % 5 ELSE n % 35 END AS len) shape,
                   generate_series(1, len)
             GROUP BY n
        ),
        corpus AS (SELECT s FROM edge UNION ALL SELECT s FROM random),
        -- A random string of each format is rare: make some valid ones out of random ones.
        shaped AS (
            SELECT s FROM corpus
            UNION ALL SELECT 'G' || translate(upper(substr(md5(s), 1, 55)), '0189', 'ABCD')
                             || repeat('Q', 55 - char_length(substr(md5(s), 1, 55))) FROM corpus
            UNION ALL SELECT encode(sha256(convert_to(COALESCE(s, ''), 'UTF8')), 'hex') FROM corpus
        )
        SELECT count(*)::text FROM shaped
         WHERE (is_stellar_address(s) IS DISTINCT FROM (s ~ '^[GC][A-Z2-7]{{55}}$' OR s ~ '^M[A-Z2-7]{{68}}$'))
            OR (is_contract_address(s) IS DISTINCT FROM (s ~ '^C[A-Z2-7]{{55}}$'))
            OR (is_account_address(s) IS DISTINCT FROM (s ~ '^G[A-Z2-7]{{55}}$'))
            OR (is_sha256_hex(s) IS DISTINCT FROM (s ~ '^[0-9a-f]{{64}}$'))
            OR (is_rpc_event_id(s) IS DISTINCT FROM (s ~ '^[0-9]{{19}}-[0-9]{{10}}$'))
            OR ((char_length(s) BETWEEN 1 AND 32 AND s ~ '^[A-Za-z0-9_-]+$')
                IS DISTINCT FROM (s ~ '^[A-Za-z0-9_-]{{1,32}}$'))
        "#,
        edges = list.join(", ")
    );
    assert_eq!(scalar(&pool, &sql).await, "0", "strings judged differently");
    // The corpus does reach both answers of every check.
    for (check, accepted) in [
        ("is_stellar_address", &g55),
        ("is_contract_address", &c55),
        ("is_account_address", &g55),
        ("is_sha256_hex", &hex),
    ] {
        let sql = format!("SELECT {check}('{accepted}')::text || {check}('{accepted}x')::text");
        assert_eq!(scalar(&pool, &sql).await, "truefalse", "{check}");
    }
    // The constraints use them, and still refuse a malformed value.
    let bad_hash = format!(
        "INSERT INTO transactions (transaction_hash, network, transaction_type) \
         VALUES ('{}', 'local', 'other')",
        hex.to_uppercase()
    );
    refused(
        &pool,
        &bad_hash,
        CHECK,
        "transactions_transaction_hash_format",
    )
    .await;
}

#[tokio::test]
async fn seed_data_reruns_without_duplicates() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let counts =
        "SELECT (SELECT count(*) FROM permissions) || '/' || (SELECT count(*) FROM user_roles)
                  || '/' || (SELECT count(*) FROM event_categories)";
    // through the library's `passa db seed` path (one transaction, pending-migration check)
    let mut conn = pool.acquire().await.unwrap();
    passa_db::seed::seed(&mut conn).await.expect("first seed");
    let first = scalar(&pool, counts).await;
    passa_db::seed::seed(&mut conn).await.expect("second seed");
    passa_db::seed::seed(&mut conn).await.expect("third seed");
    drop(conn);
    assert_eq!(scalar(&pool, counts).await, first);

    let roles = scalar(
        &pool,
        "SELECT string_agg(role_name, ',' ORDER BY role_name) FROM user_roles",
    )
    .await;
    assert_eq!(roles, "admin,artist,content_creator,fan,organizer,sponsor");
    let scopes = scalar(
        &pool,
        "SELECT string_agg(DISTINCT scope, ',' ORDER BY scope) FROM permissions",
    )
    .await;
    assert_eq!(scopes, "all,organization,own");
    // every permission a role grants is defined
    let dangling = scalar(
        &pool,
        "SELECT string_agg(r.role_name || ':' || p, ', ') FROM user_roles r,
                jsonb_array_elements_text(r.permissions) p
          WHERE NOT EXISTS (SELECT 1 FROM permissions WHERE permission_name || ':' || scope = p)",
    )
    .await;
    assert_eq!(dangling, "NULL");
    // a tree: top-level categories with children
    let music_children = scalar(
        &pool,
        "SELECT count(*)::text FROM event_categories c JOIN event_categories p
             ON p.category_id = c.parent_category_id WHERE p.slug = 'music'",
    )
    .await;
    assert!(
        music_children.parse::<i32>().unwrap() >= 5,
        "music has {music_children} children"
    );

    // a re-run refreshes what an operator edited, and keeps users' role assignments
    fixtures(&pool).await;
    exec(
        &pool,
        &format!(
            "UPDATE user_roles SET description = 'edited' WHERE role_name = 'fan';
             INSERT INTO user_role_assignments (user_id, role_id)
             SELECT '{FAN}', role_id FROM user_roles WHERE role_name = 'fan';"
        ),
    )
    .await
    .unwrap();
    exec(&pool, SEED_SQL).await.expect("seed over edited data");
    assert_ne!(
        scalar(
            &pool,
            "SELECT description FROM user_roles WHERE role_name = 'fan'"
        )
        .await,
        "edited"
    );
    assert_eq!(
        scalar(&pool, "SELECT count(*)::text FROM user_role_assignments").await,
        "1"
    );
}

// ---------------------------------------------------------------------------------------------
// Unique constraints
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn usernames_and_emails_are_unique() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    refused(
        &pool,
        "INSERT INTO users (username, email) VALUES ('otieno', 'other@passa.test')",
        UNIQUE,
        "users_username_key",
    )
    .await;
    refused(
        &pool,
        "INSERT INTO users (username, email) VALUES ('other', 'otieno@passa.test')",
        UNIQUE,
        "users_email_key",
    )
    .await;
    accepted(
        &pool,
        "INSERT INTO users (username, email) VALUES ('other', 'other@passa.test')",
    )
    .await;
    refused(
        &pool,
        "INSERT INTO users (username, email) VALUES ('x', 'x@passa.test')",
        CHECK,
        "users_username_format",
    )
    .await;
    refused(
        &pool,
        "INSERT INTO users (username, email) VALUES ('xavier', 'not-an-email')",
        CHECK,
        "users_email_format",
    )
    .await;
    refused(&pool, "INSERT INTO users (username, email, password_hash) VALUES ('plain', 'plain@passa.test', 'hunter2')", CHECK, "users_password_hash_bcrypt").await;
    accepted(
        &pool,
        "INSERT INTO users (username, email, password_hash) VALUES ('hashed', 'hashed@passa.test',
         '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW')",
    )
    .await;
}

#[tokio::test]
async fn transaction_hashes_and_contract_addresses_are_unique() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let hash = "a".repeat(64);
    let address = format!("C{}", "A".repeat(55));
    accepted(&pool, &format!("INSERT INTO transactions (transaction_hash, network, transaction_type) VALUES ('{hash}', 'testnet', 'payment')")).await;
    refused(
        &pool,
        &format!("INSERT INTO transactions (transaction_hash, network, transaction_type) VALUES ('{hash}', 'testnet', 'payment')"),
        UNIQUE,
        "transactions_transaction_hash_key",
    )
    .await;
    refused(
        &pool,
        "INSERT INTO transactions (transaction_hash, network, transaction_type) VALUES ('XYZ', 'testnet', 'payment')",
        CHECK,
        "transactions_transaction_hash_format",
    )
    .await;

    accepted(&pool, &format!("INSERT INTO smart_contracts (contract_address, contract_type, network) VALUES ('{address}', 'ticketing', 'testnet')")).await;
    refused(
        &pool,
        &format!("INSERT INTO smart_contracts (contract_address, contract_type, network) VALUES ('{address}', 'attribution', 'testnet')"),
        UNIQUE,
        "smart_contracts_contract_address_key",
    )
    .await;
    refused(
        &pool,
        &format!("INSERT INTO smart_contracts (contract_address, contract_type, network) VALUES ('G{}', 'ticketing', 'testnet')", "A".repeat(55)),
        CHECK,
        "smart_contracts_contract_address_format",
    )
    .await;
    refused(
        &pool,
        &format!("INSERT INTO smart_contracts (contract_address, contract_type, network) VALUES ('C{}', 'ticketing', 'testnet', 'active')", "B".repeat(55))
            .replace("network)", "network, status)"),
        CHECK,
        "smart_contracts_active_deployed_check",
    )
    .await;
}

#[tokio::test]
async fn a_role_is_assigned_once_and_a_tag_once_per_event() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    exec(&pool, SEED_SQL).await.unwrap();
    let assign = format!("INSERT INTO user_role_assignments (user_id, role_id) SELECT '{FAN}', role_id FROM user_roles WHERE role_name = 'fan'");
    accepted(&pool, &assign).await;
    refused(
        &pool,
        &assign,
        UNIQUE,
        "user_role_assignments_user_role_key",
    )
    .await;
    accepted(&pool, &format!("INSERT INTO user_role_assignments (user_id, role_id) SELECT '{FAN}', role_id FROM user_roles WHERE role_name = 'artist'")).await;

    accepted(&pool, "INSERT INTO event_tags (tag_id, name, slug) VALUES ('00000000-0000-0000-0000-0000000000f1', 'Outdoor', 'outdoor')").await;
    let tag = format!("INSERT INTO event_tag_assignments (event_id, tag_id) VALUES ('{EVENT}', '00000000-0000-0000-0000-0000000000f1')");
    accepted(&pool, &tag).await;
    refused(&pool, &tag, UNIQUE, "event_tag_assignments_event_tag_key").await;
    assert_eq!(
        scalar(&pool, "SELECT usage_count::text FROM event_tags").await,
        "1"
    );
    exec(&pool, "DELETE FROM event_tag_assignments")
        .await
        .unwrap();
    assert_eq!(
        scalar(&pool, "SELECT usage_count::text FROM event_tags").await,
        "0"
    );
}

// ---------------------------------------------------------------------------------------------
// Check constraints
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn event_must_end_after_it_starts() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    let insert = |start: &str, end: &str, slug: &str| {
        format!(
            "INSERT INTO events (organizer_user_id, title, slug, start_datetime, end_datetime)
             VALUES ('{ORGANIZER}', 'Show', '{slug}', '{start}', '{end}')"
        )
    };
    refused(
        &pool,
        &insert("2027-02-01 20:00Z", "2027-02-01 20:00Z", "same"),
        CHECK,
        "events_dates_check",
    )
    .await;
    refused(
        &pool,
        &insert("2027-02-01 20:00Z", "2027-02-01 19:00Z", "before"),
        CHECK,
        "events_dates_check",
    )
    .await;
    accepted(
        &pool,
        &insert("2027-02-01 20:00Z", "2027-02-01 20:00:01Z", "after"),
    )
    .await;
    refused(&pool, &format!("UPDATE events SET end_datetime = start_datetime - interval '1 hour' WHERE event_id = '{EVENT}'"), CHECK, "events_dates_check").await;
}

#[tokio::test]
async fn prices_are_never_negative() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    let ticket =
        |price: &str| format!("INSERT INTO tickets (event_id, price) VALUES ('{EVENT}', {price})");
    refused(&pool, &ticket("-0.0000001"), CHECK, "tickets_price_check").await;
    accepted(&pool, &ticket("0")).await;
    accepted(&pool, &ticket("1500.5")).await;
    refused(
        &pool,
        &format!("UPDATE tickets SET current_price = -1 WHERE event_id = '{EVENT}'"),
        CHECK,
        "tickets_current_price_check",
    )
    .await;
    refused(&pool, &format!("UPDATE events SET min_ticket_price = -5, max_ticket_price = 10 WHERE event_id = '{EVENT}'"), CHECK, "events_ticket_prices_check").await;
    refused(&pool, &format!("UPDATE events SET min_ticket_price = 50, max_ticket_price = 10 WHERE event_id = '{EVENT}'"), CHECK, "events_ticket_prices_check").await;
    accepted(&pool, &format!("UPDATE events SET min_ticket_price = 0, max_ticket_price = 10 WHERE event_id = '{EVENT}'")).await;
    refused(
        &pool,
        &format!("INSERT INTO attribution (event_id, user_id, contribution_type, share_type, fixed_amount) VALUES ('{EVENT}', '{ARTIST}', 'artist_performance', 'fixed', -1)"),
        CHECK,
        "attribution_fixed_amount_check",
    )
    .await;
}

#[tokio::test]
async fn a_ticket_needs_a_price() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    match exec(
        &pool,
        &format!("INSERT INTO tickets (event_id) VALUES ('{EVENT}')"),
    )
    .await
    {
        Err(sqlx::Error::Database(e)) => assert_eq!(e.code().as_deref(), Some(NOT_NULL), "{e}"),
        other => panic!("expected a NOT NULL violation, got {other:?}"),
    }
}

#[tokio::test]
async fn percentage_share_stays_between_zero_and_one() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    let share = |value: &str| {
        format!(
            "INSERT INTO attribution (event_id, user_id, contribution_type, percentage_share)
             VALUES ('{EVENT}', '{ARTIST}', 'artist_performance', {value})"
        )
    };
    refused(
        &pool,
        &share("1.0001"),
        CHECK,
        "attribution_percentage_share_range",
    )
    .await;
    refused(
        &pool,
        &share("-0.0001"),
        CHECK,
        "attribution_percentage_share_range",
    )
    .await;
    accepted(&pool, &share("1.0000")).await;
    exec(&pool, "DELETE FROM attribution").await.unwrap();
    accepted(&pool, &share("0.0000")).await;
    // exactly one of the share columns, as share_type says
    refused(
        &pool,
        &format!("INSERT INTO attribution (event_id, user_id, contribution_type, share_type, percentage_share, fixed_amount)
                  VALUES ('{EVENT}', '{ARTIST}', 'venue', 'fixed', 0.1, 100)"),
        CHECK,
        "attribution_share_columns_check",
    )
    .await;
    refused(
        &pool,
        &format!("INSERT INTO attribution (event_id, user_id, contribution_type) VALUES ('{EVENT}', '{ARTIST}', 'venue')"),
        CHECK,
        "attribution_share_columns_check",
    )
    .await;
}

#[tokio::test]
async fn statuses_are_enumerated() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    let hash = "b".repeat(64);
    let cases: [(&str, &str, &str); 12] = [
        ("UPDATE users SET status = 'gone' WHERE user_id = '{FAN}'", "UPDATE users SET status = 'suspended' WHERE user_id = '{FAN}'", "users_status_check"),
        ("UPDATE events SET status = 'live' WHERE event_id = '{EVENT}'", "UPDATE events SET status = 'postponed' WHERE event_id = '{EVENT}'", "events_status_check"),
        (
            "INSERT INTO tickets (event_id, price, ticket_status) VALUES ('{EVENT}', 10, 'lost')",
            "INSERT INTO tickets (event_id, price, ticket_status) VALUES ('{EVENT}', 10, 'reserved')",
            "tickets_ticket_status_check",
        ),
        (
            "INSERT INTO attribution (event_id, user_id, contribution_type, percentage_share, status) VALUES ('{EVENT}', '{ARTIST}', 'venue', 0.1, 'maybe')",
            "INSERT INTO attribution (event_id, user_id, contribution_type, percentage_share, status) VALUES ('{EVENT}', '{ARTIST}', 'venue', 0.1, 'pending')",
            "attribution_status_check",
        ),
        (
            "INSERT INTO attribution (event_id, user_id, contribution_type, percentage_share) VALUES ('{EVENT}', '{ARTIST}', 'dancing', 0.1)",
            "INSERT INTO attribution (event_id, user_id, contribution_type, percentage_share) VALUES ('{EVENT}', '{ARTIST}', 'sponsorship', 0.1)",
            "attribution_contribution_type_check",
        ),
        (
            "INSERT INTO transactions (transaction_hash, network, transaction_type, status) VALUES ('{HASH}', 'testnet', 'payment', 'lost')",
            "INSERT INTO transactions (transaction_hash, network, transaction_type, status) VALUES ('{HASH}', 'testnet', 'payment', 'failed')",
            "transactions_status_check",
        ),
        (
            "INSERT INTO smart_contracts (contract_address, contract_type, network, status, deployed_at, wasm_hash) VALUES ('C{A55}', 'ticketing', 'testnet', 'zombie', now(), '{HASH}')",
            "INSERT INTO smart_contracts (contract_address, contract_type, network, status) VALUES ('C{A55}', 'ticketing', 'testnet', 'deploying')",
            "smart_contracts_status_check",
        ),
        (
            "INSERT INTO smart_contracts (contract_address, contract_type, network) VALUES ('C{B55}', 'lottery', 'testnet')",
            "INSERT INTO smart_contracts (contract_address, contract_type, network) VALUES ('C{B55}', 'revenue_distribution', 'testnet')",
            "smart_contracts_contract_type_check",
        ),
        (
            "INSERT INTO smart_contracts (contract_address, contract_type, network) VALUES ('C{C55}', 'attribution', 'devnet')",
            "INSERT INTO smart_contracts (contract_address, contract_type, network) VALUES ('C{C55}', 'attribution', 'local')",
            "smart_contracts_network_check",
        ),
        (
            "INSERT INTO wallets (user_id, wallet_address, wallet_type) VALUES ('{FAN}', 'G{A55}', 'paper')",
            "INSERT INTO wallets (user_id, wallet_address, wallet_type) VALUES ('{FAN}', 'G{A55}', 'hardware')",
            "wallets_wallet_type_check",
        ),
        (
            "INSERT INTO permissions (permission_name, scope) VALUES ('events.create', 'planet')",
            "INSERT INTO permissions (permission_name, scope) VALUES ('events.create', 'organization')",
            "permissions_scope_check",
        ),
        (
            "INSERT INTO fans (user_id, loyalty_tier) VALUES ('{FAN}', 'diamond')",
            "INSERT INTO fans (user_id, loyalty_tier) VALUES ('{FAN}', 'gold')",
            "fans_loyalty_tier_check",
        ),
    ];
    for (bad, good, constraint) in cases {
        let fill = |sql: &str| {
            sql.replace("{FAN}", FAN)
                .replace("{EVENT}", EVENT)
                .replace("{ARTIST}", ARTIST)
                .replace("{HASH}", &hash)
                .replace("{A55}", &"A".repeat(55))
                .replace("{B55}", &"B".repeat(55))
                .replace("{C55}", &"C".repeat(55))
        };
        refused(&pool, &fill(bad), CHECK, constraint).await;
        accepted(&pool, &fill(good)).await;
    }
}

#[tokio::test]
async fn addresses_soft_deletes_and_stamps_are_consistent() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    refused(
        &pool,
        &format!("INSERT INTO wallets (user_id, wallet_address) VALUES ('{FAN}', 'GABC')"),
        CHECK,
        "wallets_stellar_address_check",
    )
    .await;
    accepted(&pool, &format!("INSERT INTO wallets (user_id, wallet_address, blockchain_network) VALUES ('{FAN}', '0xAbC123', 'ethereum')")).await;
    refused(
        &pool,
        &format!("UPDATE users SET is_deleted = true WHERE user_id = '{FAN}'"),
        CHECK,
        "users_soft_delete_check",
    )
    .await;
    accepted(
        &pool,
        &format!("UPDATE users SET is_deleted = true, deleted_at = now() WHERE user_id = '{FAN}'"),
    )
    .await;
    refused(
        &pool,
        &format!("UPDATE events SET is_deleted = true WHERE event_id = '{EVENT}'"),
        CHECK,
        "events_soft_delete_check",
    )
    .await;
    // cancelling stamps cancelled_at even when the client leaves it out
    accepted(&pool, &format!("UPDATE events SET status = 'cancelled', cancelled_at = NULL WHERE event_id = '{EVENT}'")).await;
    assert_ne!(
        scalar(
            &pool,
            &format!("SELECT cancelled_at::text FROM events WHERE event_id = '{EVENT}'")
        )
        .await,
        "NULL"
    );
    refused(
        &pool,
        &format!("UPDATE organizers SET verified_at = NULL WHERE user_id = '{ORGANIZER}'"),
        CHECK,
        "organizers_verified_at_check",
    )
    .await;
    refused(
        &pool,
        &format!("INSERT INTO tickets (event_id, price, ticket_status, purchase_date) VALUES ('{EVENT}', 1, 'used', now())"),
        CHECK,
        "tickets_used_at_check",
    )
    .await;
    refused(
        &pool,
        &format!("INSERT INTO tickets (event_id, price, token_id) VALUES ('{EVENT}', 1, 7)"),
        CHECK,
        "tickets_token_pair_check",
    )
    .await;
}

#[tokio::test]
async fn timestamps_are_maintained_by_trigger() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    exec(&pool, &format!("UPDATE users SET created_at = '2000-01-01Z', updated_at = '2000-01-01Z' WHERE user_id = '{FAN}'")).await.unwrap();
    let stamps = format!("SELECT (created_at = updated_at)::text || ' ' || (created_at > '2001-01-01Z')::text FROM users WHERE user_id = '{FAN}'");
    // the client cannot back-date either column; updated_at moves on
    assert_eq!(scalar(&pool, &stamps).await, "false true");
    let before = scalar(
        &pool,
        &format!("SELECT updated_at::text FROM users WHERE user_id = '{FAN}'"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    exec(
        &pool,
        &format!("UPDATE users SET first_name = 'Otieno' WHERE user_id = '{FAN}'"),
    )
    .await
    .unwrap();
    let after = scalar(
        &pool,
        &format!("SELECT updated_at::text FROM users WHERE user_id = '{FAN}'"),
    )
    .await;
    assert_ne!(before, after);
    // every table with updated_at has the trigger
    let missing = scalar(
        &pool,
        "SELECT string_agg(c.relname, ', ') FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE a.attname = 'updated_at' AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
            AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname LIKE '%updated_at')",
    )
    .await;
    assert_eq!(missing, "NULL");
}

#[tokio::test]
async fn a_category_cannot_be_its_own_ancestor() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    exec(&pool, SEED_SQL).await.unwrap();
    refused(
        &pool,
        "UPDATE event_categories SET parent_category_id = (SELECT category_id FROM event_categories WHERE slug = 'afrobeats') WHERE slug = 'music'",
        CHECK,
        "event_categories_no_cycle",
    )
    .await;
    // the trigger runs before the row's own CHECK, so a direct self-parent is caught as a cycle too
    refused(
        &pool,
        "UPDATE event_categories SET parent_category_id = category_id WHERE slug = 'music'",
        CHECK,
        "event_categories_no_cycle",
    )
    .await;
    accepted(&pool, "UPDATE event_categories SET parent_category_id = (SELECT category_id FROM event_categories WHERE slug = 'festivals') WHERE slug = 'afrobeats'").await;
}

// ---------------------------------------------------------------------------------------------
// Foreign-key actions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn deleting_a_user_cascades_to_profile_wallets_and_roles() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    exec(&pool, SEED_SQL).await.unwrap();
    exec(
        &pool,
        &format!(
            "INSERT INTO user_profiles (user_id, display_name) VALUES ('{FAN}', 'Otieno');
             INSERT INTO wallets (user_id, wallet_address, is_primary) VALUES ('{FAN}', 'G{a}', true);
             INSERT INTO user_role_assignments (user_id, role_id) SELECT '{FAN}', role_id FROM user_roles WHERE role_name = 'fan';
             INSERT INTO fans (user_id) VALUES ('{FAN}');
             INSERT INTO user_profiles (user_id) VALUES ('{ARTIST}');",
            a = "A".repeat(55)
        ),
    )
    .await
    .unwrap();
    exec(&pool, &format!("DELETE FROM users WHERE user_id = '{FAN}'"))
        .await
        .unwrap();
    let left = format!(
        "SELECT (SELECT count(*) FROM user_profiles WHERE user_id = '{FAN}') || '/' ||
                (SELECT count(*) FROM wallets WHERE user_id = '{FAN}') || '/' ||
                (SELECT count(*) FROM user_role_assignments WHERE user_id = '{FAN}') || '/' ||
                (SELECT count(*) FROM fans WHERE user_id = '{FAN}') || '/' ||
                (SELECT count(*) FROM user_profiles)"
    );
    assert_eq!(
        scalar(&pool, &left).await,
        "0/0/0/0/1",
        "other users' rows stay"
    );
}

#[tokio::test]
async fn an_event_with_tickets_cannot_be_deleted() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    exec(
        &pool,
        &format!("INSERT INTO tickets (event_id, price) VALUES ('{EVENT}', 100)"),
    )
    .await
    .unwrap();
    refused(
        &pool,
        &format!("DELETE FROM events WHERE event_id = '{EVENT}'"),
        FOREIGN_KEY,
        "tickets_event_id_fkey",
    )
    .await;
    assert_eq!(
        scalar(&pool, "SELECT count(*)::text FROM events").await,
        "1"
    );
    exec(&pool, "DELETE FROM tickets").await.unwrap();
    accepted(
        &pool,
        &format!("DELETE FROM events WHERE event_id = '{EVENT}'"),
    )
    .await;
}

#[tokio::test]
async fn deleting_a_ticket_owner_keeps_the_ticket() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    exec(
        &pool,
        &format!(
            "INSERT INTO tickets (ticket_id, event_id, price, owner_user_id, ticket_status, purchase_date)
             VALUES ('00000000-0000-0000-0000-0000000000c1', '{EVENT}', 100, '{FAN}', 'purchased', now())"
        ),
    )
    .await
    .unwrap();
    exec(&pool, &format!("DELETE FROM users WHERE user_id = '{FAN}'"))
        .await
        .unwrap();
    assert_eq!(
        scalar(
            &pool,
            "SELECT COALESCE(owner_user_id::text, 'NULL') || ' ' || ticket_status FROM tickets"
        )
        .await,
        "NULL purchased"
    );
}

#[tokio::test]
async fn blockchain_references_are_enforced() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    let missing = "00000000-0000-0000-0000-000000000999";
    refused(
        &pool,
        &format!("UPDATE events SET smart_contract_id = '{missing}'"),
        FOREIGN_KEY,
        "events_smart_contract_id_fkey",
    )
    .await;
    refused(
        &pool,
        &format!("INSERT INTO tickets (event_id, price, smart_contract_id, token_id) VALUES ('{EVENT}', 1, '{missing}', 1)"),
        FOREIGN_KEY,
        "tickets_smart_contract_id_fkey",
    )
    .await;
    let contract = "00000000-0000-0000-0000-0000000000cc";
    let tx = "00000000-0000-0000-0000-0000000000dd";
    exec(
        &pool,
        &format!(
            "INSERT INTO smart_contracts (contract_id, contract_address, contract_type, network) VALUES ('{contract}', 'C{a}', 'ticketing', 'local');
             INSERT INTO transactions (transaction_id, transaction_hash, network, transaction_type, smart_contract_id) VALUES ('{tx}', '{h}', 'local', 'ticket_purchase', '{contract}');
             UPDATE smart_contracts SET deployment_transaction_id = '{tx}';
             UPDATE events SET smart_contract_id = '{contract}';
             INSERT INTO tickets (event_id, price, smart_contract_id, token_id, purchase_transaction_id) VALUES ('{EVENT}', 1, '{contract}', 1, '{tx}');",
            a = "A".repeat(55),
            h = "c".repeat(64)
        ),
    )
    .await
    .unwrap();
    refused(
        &pool,
        &format!("INSERT INTO tickets (event_id, price, smart_contract_id, token_id) VALUES ('{EVENT}', 1, '{contract}', 1)"),
        UNIQUE,
        "tickets_contract_token_key",
    )
    .await;
    refused(
        &pool,
        &format!("DELETE FROM smart_contracts WHERE contract_id = '{contract}'"),
        FOREIGN_KEY,
        "events_smart_contract_id_fkey",
    )
    .await;
    // a transaction goes (unlinking the ticket and the registry row) only once nothing restricts it
    exec(&pool, "UPDATE transactions SET smart_contract_id = NULL")
        .await
        .unwrap();
    accepted(
        &pool,
        &format!("DELETE FROM transactions WHERE transaction_id = '{tx}'"),
    )
    .await;
    assert_eq!(
        scalar(
            &pool,
            "SELECT COALESCE(purchase_transaction_id::text, 'NULL') FROM tickets"
        )
        .await,
        "NULL"
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT COALESCE(deployment_transaction_id::text, 'NULL') FROM smart_contracts"
        )
        .await,
        "NULL"
    );
}

// ---------------------------------------------------------------------------------------------
// Business rules
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn one_primary_wallet_per_user_per_network() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    let wallet = |user: &str, address: char, network: &str, primary: bool| {
        format!(
            "INSERT INTO wallets (user_id, wallet_address, blockchain_network, is_primary)
             VALUES ('{user}', '{}', '{network}', {primary})",
            if network == "stellar" {
                format!("G{}", address.to_string().repeat(55))
            } else {
                format!("0x{address}")
            }
        )
    };
    accepted(&pool, &wallet(FAN, 'A', "stellar", true)).await;
    refused(
        &pool,
        &wallet(FAN, 'B', "stellar", true),
        UNIQUE,
        "uq_wallets_primary_per_network",
    )
    .await;
    accepted(&pool, &wallet(FAN, 'B', "stellar", false)).await;
    accepted(&pool, &wallet(FAN, 'C', "ethereum", true)).await;
    accepted(&pool, &wallet(ARTIST, 'D', "stellar", true)).await;
    // the same address cannot belong to two users on one network
    refused(
        &pool,
        &wallet(ARTIST, 'A', "stellar", false),
        UNIQUE,
        "wallets_network_address_key",
    )
    .await;
    // switching the primary: demote first, then promote
    refused(
        &pool,
        &format!(
            "UPDATE wallets SET is_primary = true WHERE wallet_address = 'G{}'",
            "B".repeat(55)
        ),
        UNIQUE,
        "uq_wallets_primary_per_network",
    )
    .await;
    accepted(
        &pool,
        &format!(
            "UPDATE wallets SET is_primary = false WHERE wallet_address = 'G{a}';
             UPDATE wallets SET is_primary = true WHERE wallet_address = 'G{b}';",
            a = "A".repeat(55),
            b = "B".repeat(55)
        ),
    )
    .await;
}

#[tokio::test]
async fn publishing_requires_a_verified_organizer() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    let event = |status: &str, slug: &str| {
        format!(
            "INSERT INTO events (organizer_user_id, title, slug, start_datetime, end_datetime, status)
             VALUES ('{UNVERIFIED}', 'Debut', '{slug}', '2027-03-01 18:00Z', '2027-03-01 22:00Z', '{status}')"
        )
    };
    const RULE: &str = "events_publish_requires_verified_organizer";
    refused(&pool, &event("published", "debut-1"), CHECK, RULE).await;
    refused(&pool, &event("postponed", "debut-2"), CHECK, RULE).await;
    accepted(&pool, &event("draft", "debut")).await;
    refused(
        &pool,
        "UPDATE events SET status = 'published' WHERE slug = 'debut'",
        CHECK,
        RULE,
    )
    .await;
    refused(
        &pool,
        &format!("UPDATE events SET organizer_user_id = '{UNVERIFIED}' WHERE event_id = '{EVENT}'"),
        CHECK,
        RULE,
    )
    .await;
    // a draft can be cancelled without ever being published
    accepted(
        &pool,
        "UPDATE events SET status = 'cancelled' WHERE slug = 'debut'",
    )
    .await;
    assert_ne!(
        scalar(
            &pool,
            "SELECT cancelled_at::text FROM events WHERE slug = 'debut'"
        )
        .await,
        "NULL"
    );
    accepted(&pool, &event("draft", "debut-3")).await;

    exec(&pool, &format!("UPDATE organizers SET is_verified = true, verified_at = now() WHERE user_id = '{UNVERIFIED}'")).await.unwrap();
    accepted(
        &pool,
        "UPDATE events SET status = 'published' WHERE slug = 'debut-3'",
    )
    .await;
    assert_ne!(
        scalar(
            &pool,
            "SELECT published_at::text FROM events WHERE slug = 'debut-3'"
        )
        .await,
        "NULL"
    );
    // revoking later does not unpublish, but the next publication is refused again
    exec(&pool, &format!("UPDATE organizers SET is_verified = false, verified_at = NULL WHERE user_id = '{UNVERIFIED}'")).await.unwrap();
    accepted(
        &pool,
        "UPDATE events SET title = 'Debut (sold out)' WHERE slug = 'debut-3'",
    )
    .await;
    refused(&pool, &event("published", "debut-4"), CHECK, RULE).await;
}

fn share(attribution_id: u8, user: &str, share: &str) -> String {
    format!(
        "INSERT INTO attribution (attribution_id, event_id, user_id, contribution_type, percentage_share)
         VALUES ('00000000-0000-0000-0000-0000000001{attribution_id:02x}', '{EVENT}', '{user}', 'artist_performance', {share})"
    )
}

const TOTAL_RULE: &str = "attribution_event_percentage_total_max";

#[tokio::test]
async fn attribution_percentages_never_exceed_one_hundred_percent() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    accepted(&pool, &share(1, ARTIST, "0.6000")).await;
    accepted(&pool, &share(2, FAN, "0.4000")).await;
    refused(&pool, &share(3, ORGANIZER, "0.0001"), CHECK, TOTAL_RULE).await;
    // fixed amounts and referral commissions are not shares of the pool
    accepted(
        &pool,
        &format!(
            "INSERT INTO attribution (event_id, user_id, contribution_type, share_type, fixed_amount) VALUES ('{EVENT}', '{ORGANIZER}', 'venue', 'fixed', 25000);
             INSERT INTO attribution (event_id, user_id, contribution_type, share_type, percentage_share) VALUES ('{EVENT}', '{ORGANIZER}', 'referral', 'commission', 0.05);"
        ),
    )
    .await;
    // raising a share past the limit is refused; a rejected share frees its part
    refused(&pool, "UPDATE attribution SET percentage_share = 0.7 WHERE attribution_id = '00000000-0000-0000-0000-000000000101'", CHECK, TOTAL_RULE).await;
    accepted(&pool, "UPDATE attribution SET status = 'rejected', rejected_at = now() WHERE attribution_id = '00000000-0000-0000-0000-000000000102'").await;
    accepted(&pool, &share(4, ORGANIZER, "0.4000")).await;
    // approving and paying does not count a share twice
    accepted(&pool, "UPDATE attribution SET status = 'approved', approved_at = now() WHERE attribution_id = '00000000-0000-0000-0000-000000000101'").await;
    refused(&pool, "UPDATE attribution SET status = 'pending', rejected_at = NULL WHERE attribution_id = '00000000-0000-0000-0000-000000000102'", CHECK, TOTAL_RULE).await;
    accepted(
        &pool,
        "DELETE FROM attribution WHERE attribution_id = '00000000-0000-0000-0000-000000000104'",
    )
    .await;
    accepted(&pool, "UPDATE attribution SET status = 'pending', rejected_at = NULL WHERE attribution_id = '00000000-0000-0000-0000-000000000102'").await;
    assert_eq!(
        scalar(
            &pool,
            &format!(
                "SELECT attribution_percentage_total::text FROM events WHERE event_id = '{EVENT}'"
            )
        )
        .await,
        "1.0000"
    );
    // the running total equals the sum it stands for
    assert_eq!(
        scalar(
            &pool,
            &format!("SELECT (SELECT sum(percentage_share) FROM attribution WHERE share_type = 'percentage' AND status <> 'rejected')::text
                      || ' ' || attribution_percentage_total::text FROM events WHERE event_id = '{EVENT}'")
        )
        .await,
        "1.0000 1.0000"
    );
}

async fn begin(pool: &PgPool, isolation: &str) -> PgConnection {
    let mut conn = pool.acquire().await.unwrap().detach();
    sqlx::raw_sql(trusted(&format!("BEGIN ISOLATION LEVEL {isolation}")))
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

/// Waits until some other backend is blocked on a lock, so the test knows the second writer is
/// really waiting on the first (not merely scheduled after it).
async fn wait_for_lock_waiter(pool: &PgPool) {
    for _ in 0..500 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the second session never waited for the first");
}

#[tokio::test]
async fn concurrent_attribution_inserts_cannot_exceed_one_hundred_percent() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    fixtures(&pool).await;
    for isolation in ["READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"] {
        exec(&pool, "DELETE FROM attribution").await.unwrap();
        let mut first = begin(&pool, isolation).await;
        let mut second = begin(&pool, isolation).await;
        sqlx::raw_sql(trusted(&share(1, ARTIST, "0.6000")))
            .execute(&mut first)
            .await
            .unwrap();

        let second_insert = tokio::spawn(async move {
            let result = sqlx::raw_sql(trusted(&share(2, FAN, "0.6000")))
                .execute(&mut second)
                .await
                .map(|_| ());
            let result = match result {
                Ok(()) => sqlx::raw_sql("COMMIT")
                    .execute(&mut second)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            };
            let _ = second.close().await;
            result
        });
        wait_for_lock_waiter(&pool).await;
        sqlx::raw_sql("COMMIT").execute(&mut first).await.unwrap();
        first.close().await.unwrap();

        match second_insert.await.unwrap() {
            Err(sqlx::Error::Database(e)) if isolation == "READ COMMITTED" => {
                assert_eq!(e.constraint(), Some(TOTAL_RULE), "{isolation}: {e}")
            }
            // under snapshot isolation the second writer cannot see the first: it must fail to serialize
            Err(sqlx::Error::Database(e)) => {
                assert_eq!(e.code().as_deref(), Some("40001"), "{isolation}: {e}")
            }
            other => panic!("{isolation}: the second 60 % share was not refused: {other:?}"),
        }
        assert_eq!(
            scalar(
                &pool,
                "SELECT sum(percentage_share)::text || ' ' || count(*) FROM attribution"
            )
            .await,
            "0.6000 1",
            "{isolation}"
        );
        assert_eq!(
            scalar(&pool, &format!("SELECT attribution_percentage_total::text FROM events WHERE event_id = '{EVENT}'")).await,
            "0.6000",
            "{isolation}"
        );
    }

    // and when the first writer rolls back, the waiting one goes through
    exec(&pool, "DELETE FROM attribution").await.unwrap();
    let mut first = begin(&pool, "READ COMMITTED").await;
    let mut second = begin(&pool, "READ COMMITTED").await;
    sqlx::raw_sql(trusted(&share(1, ARTIST, "0.6000")))
        .execute(&mut first)
        .await
        .unwrap();
    let second_insert = tokio::spawn(async move {
        sqlx::raw_sql(trusted(&share(2, FAN, "0.6000")))
            .execute(&mut second)
            .await?;
        sqlx::raw_sql("COMMIT").execute(&mut second).await?;
        second.close().await
    });
    wait_for_lock_waiter(&pool).await;
    sqlx::raw_sql("ROLLBACK").execute(&mut first).await.unwrap();
    second_insert
        .await
        .unwrap()
        .expect("second insert after the first rolled back");
    assert_eq!(
        scalar(
            &pool,
            "SELECT string_agg(user_id::text, ',') FROM attribution"
        )
        .await,
        FAN
    );
}

// ---------------------------------------------------------------------------------------------
// Audit trail
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn audit_logs_are_partitioned_by_month_and_append_only() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    // this month's partition exists, and a row lands in it
    exec(&pool, "INSERT INTO audit_logs (action, resource_type, resource_id) VALUES ('update', 'events', 'x')").await.unwrap();
    assert_eq!(
        scalar(&pool, "SELECT tableoid::regclass::text FROM audit_logs").await,
        scalar(
            &pool,
            "SELECT 'audit_logs_y' || to_char(now(), 'YYYY') || 'm' || to_char(now(), 'MM')"
        )
        .await
    );
    // far-future rows wait in the default partition, and move when their month is created
    exec(&pool, "INSERT INTO audit_logs (action, resource_type, created_at) VALUES ('create', 'tickets', '2040-06-15Z')").await.unwrap();
    assert_eq!(
        scalar(
            &pool,
            "SELECT tableoid::regclass::text FROM audit_logs WHERE created_at > '2040-01-01Z'"
        )
        .await,
        "audit_logs_default"
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT create_audit_log_partitions('2040-05-20', 3)::text"
        )
        .await,
        "3"
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT create_audit_log_partitions('2040-05-20', 3)::text"
        )
        .await,
        "0"
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT tableoid::regclass::text FROM audit_logs WHERE created_at > '2040-01-01Z'"
        )
        .await,
        "audit_logs_y2040m06"
    );
    assert_eq!(
        scalar(&pool, "SELECT count(*)::text FROM audit_logs").await,
        "2"
    );

    for tamper in [
        "UPDATE audit_logs SET action = 'nothing'",
        "DELETE FROM audit_logs",
    ] {
        match exec(&pool, tamper).await {
            Err(sqlx::Error::Database(e)) => assert_eq!(e.code().as_deref(), Some("42501"), "{e}"),
            other => panic!("{tamper} was allowed: {other:?}"),
        }
    }
    assert_eq!(
        scalar(&pool, "SELECT count(*)::text FROM audit_logs").await,
        "2"
    );
    match exec(&pool, "SELECT create_audit_log_partitions('2040-01-01', 0)").await {
        Err(sqlx::Error::Database(e)) => assert_eq!(e.code().as_deref(), Some("22023"), "{e}"),
        other => panic!("months = 0 accepted: {other:?}"),
    }
    // the trail outlives the user it names
    fixtures(&pool).await;
    exec(&pool, &format!("INSERT INTO audit_logs (user_id, action, resource_type) VALUES ('{FAN}', 'login', 'users')")).await.unwrap();
    exec(&pool, &format!("DELETE FROM users WHERE user_id = '{FAN}'"))
        .await
        .unwrap();
    assert_eq!(
        scalar(
            &pool,
            &format!("SELECT count(*)::text FROM audit_logs WHERE user_id = '{FAN}'")
        )
        .await,
        "1"
    );
}

#[tokio::test]
async fn the_seed_indexes_exist() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let expected = [
        ("users", "email"),
        ("users", "username"),
        ("users", "status"),
        ("users", "created_at"),
        ("events", "organizer_user_id"),
        ("events", "category_id"),
        ("events", "status"),
        ("events", "start_datetime"),
        ("events", "city"),
        ("tickets", "event_id"),
        ("tickets", "owner_user_id"),
        ("tickets", "ticket_status"),
        ("tickets", "purchase_date"),
        ("transactions", "transaction_hash"),
        ("transactions", "from_address"),
        ("transactions", "to_address"),
        ("transactions", "status"),
        ("attribution", "event_id"),
        ("attribution", "user_id"),
        ("attribution", "contribution_type"),
        ("attribution", "status"),
    ];
    for (table, column) in expected {
        let found: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
              WHERE i.indrelid = $1::regclass AND a.attname = $2",
        )
        .bind(table)
        .bind(column)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(found > 0, "no index on {table}.{column}");
    }
    // partial indexes on active rows
    let partial = scalar(
        &pool,
        "SELECT count(*)::text FROM pg_indexes WHERE indexdef LIKE '%WHERE (NOT is_deleted)%'",
    )
    .await;
    assert!(
        partial.parse::<i32>().unwrap() >= 4,
        "{partial} partial indexes on active rows"
    );
    // every foreign key column is indexed (join performance)
    let unindexed = scalar(
        &pool,
        "SELECT string_agg(c.conrelid::regclass || '.' || a.attname, ', ')
           FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
            AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
            AND c.conrelid::regclass::text NOT LIKE 'audit_logs%'",
    )
    .await;
    assert_eq!(unindexed, "NULL");
}
