//! Backups with the real pgBackRest and real PostgreSQL clusters of the tests' own, each in a
//! private temporary directory (its socket too: two test runs at once never meet).
//!
//! - the drill restores to every kind of target and checks each copy (markers, amcheck, dump);
//! - bad input gets one clear error and leaves the running cluster and every file alone.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use passa_db::backup::{
    self, drill, pg_bin, BackupError, BackupKind, Cluster, RestoreTarget, RunAs, Stanza,
    StanzaConfig,
};
use sqlx::Connection as _;

/// A fresh directory under the system's temporary directory, removed when dropped (unless
/// the test failed: then it is kept to look at).
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("passa-test-{name}-{}-{nanos}", std::process::id()));
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[tokio::test]
async fn the_drill_restores_to_a_time_a_name_an_xid_and_immediate() {
    let scratch = Scratch::new("drill");
    let report = drill::drill(&drill::DrillOptions {
        work_dir: scratch.0.join("work"),
        port: 5440,
        size_mb: 8,
        archive_timeout: Duration::from_secs(1),
        bin: pg_bin(None).expect("PostgreSQL's programs"),
        run_as: RunAs::default_for_this_process(),
        keep: false,
    })
    .await
    .expect("the drill passes");
    println!("{report}");
    let targets: Vec<&str> = report
        .restores
        .iter()
        .map(|r| r.target.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(targets, ["immediate", "time", "name", "xid"]);
    for (n, restore) in report.restores.iter().enumerate() {
        // Each copy holds the markers up to its point and none after (m4 never comes back).
        assert_eq!(restore.markers.len(), n + 1, "{}", restore.target);
        assert!(
            restore.checked.0 > 100 && restore.checked.1 > 50,
            "amcheck ran"
        );
    }
    assert!(report.database_bytes >= 8_000_000);
    assert!(
        !scratch.0.join("work").exists(),
        "the drill cleans up after itself"
    );
}

/// A running cluster of the test's own with one full backup in an encrypted repository.
struct Backed {
    _scratch: Scratch,
    root: PathBuf,
    cluster: Cluster,
    stanza: Stanza,
}

async fn backed_up_cluster(name: &str) -> Backed {
    let scratch = Scratch::new(name);
    let root = scratch.0.clone();
    let run_as = RunAs::default_for_this_process();
    run_as.private_dir(&root).expect("a scratch directory");
    let cluster = Cluster {
        data: root.join("data"),
        port: 5450,
        socket_dir: root.join("socket"),
        bin: pg_bin(None).expect("PostgreSQL's programs"),
        run_as: run_as.clone(),
    };
    let stanza = Stanza {
        name: "test".to_owned(),
        config_dir: root.join("config"),
        run_as,
    };
    stanza
        .write_config(&StanzaConfig {
            pg_path: cluster.data.clone(),
            pg_port: cluster.port,
            pg_socket: Some(cluster.socket_dir.clone()),
            repo: root.join("repository"),
            repo2: None,
            retention_full: 2,
            retention_diff: 2,
            work_dir: Some(root.join("pgbackrest")),
        })
        .expect("the stanza's configuration");
    cluster
        .init(&[
            ("archive_mode", "on".to_owned()),
            ("archive_command", stanza.archive_command()),
        ])
        .await
        .expect("initdb");
    cluster.start().await.expect("the cluster starts");
    stanza
        .run("stanza-create", &[])
        .await
        .expect("stanza-create");
    backup::run(&stanza, BackupKind::Full)
        .await
        .expect("a full backup");
    Backed {
        _scratch: scratch,
        root,
        cluster,
        stanza,
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn bad_input_gets_one_clear_error_and_touches_nothing() {
    let b = backed_up_cluster("bad-input").await;
    let data_before = entries(&b.cluster.data);

    // A target directory that is not empty: refused, its file left as it was.
    let occupied = b.root.join("occupied");
    std::fs::create_dir_all(&occupied).unwrap();
    std::fs::write(occupied.join("keep.txt"), "mine").unwrap();
    let e = backup::restore(&b.stanza, &RestoreTarget::Immediate, &occupied)
        .await
        .unwrap_err();
    assert!(matches!(e, BackupError::TargetNotEmpty(_)), "{e}");
    assert!(e.to_string().contains("not empty"), "{e}");
    assert_eq!(entries(&occupied), ["keep.txt"]);
    // Least of all the running cluster's own directory.
    let e = backup::restore(&b.stanza, &RestoreTarget::Immediate, &b.cluster.data)
        .await
        .unwrap_err();
    assert!(matches!(e, BackupError::TargetNotEmpty(_)), "{e}");

    // A time before the oldest backup, and one that cannot be read.
    let fresh = b.root.join("fresh");
    let early = RestoreTarget::Time("2001-01-01 00:00:00+00".to_owned());
    let e = backup::restore(&b.stanza, &early, &fresh)
        .await
        .unwrap_err();
    assert!(matches!(e, BackupError::TargetBeforeOldest { .. }), "{e}");
    assert!(e.to_string().contains("before the oldest backup"), "{e}");
    let vague = RestoreTarget::Time("last tuesday".to_owned());
    let e = backup::restore(&b.stanza, &vague, &fresh)
        .await
        .unwrap_err();
    assert!(matches!(e, BackupError::BadTarget(_)), "{e}");
    assert!(!fresh.exists(), "a refused restore creates nothing");

    missing_pieces_are_named(&b, &fresh).await;

    // The running cluster was never touched: same files, still up, still archiving.
    assert_eq!(entries(&b.cluster.data), data_before);
    let mut conn = b.cluster.connect("postgres").await.expect("still up");
    let recovering: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(!recovering);
    let _ = conn.close().await;
    backup::verify(&b.stanza)
        .await
        .expect("archiving and repository intact");
    b.cluster.stop().await.expect("the cluster stops");
}

/// A missing key, a missing repository, a stanza never set up: each named, then put back.
async fn missing_pieces_are_named(b: &Backed, fresh: &Path) {
    let key = b.stanza.key_file();
    let aside = b.root.join("key-aside");
    std::fs::rename(&key, &aside).unwrap();
    let e = backup::restore(&b.stanza, &RestoreTarget::Immediate, fresh)
        .await
        .unwrap_err();
    assert!(matches!(e, BackupError::KeyMissing { .. }), "{e}");
    assert!(e.to_string().contains("key"), "{e}");
    let e = backup::run(&b.stanza, BackupKind::Incr).await.unwrap_err();
    assert!(matches!(e, BackupError::KeyMissing { .. }), "{e}");
    std::fs::rename(&aside, &key).unwrap();

    let repo = b.root.join("repository");
    let moved = b.root.join("repository-aside");
    std::fs::rename(&repo, &moved).unwrap();
    let e = backup::list(&b.stanza, SystemTime::now())
        .await
        .unwrap_err();
    assert!(matches!(e, BackupError::RepositoryMissing { .. }), "{e}");
    std::fs::rename(&moved, &repo).unwrap();

    let other = Stanza {
        name: "never-set-up".to_owned(),
        ..b.stanza.clone()
    };
    let e = backup::verify(&other).await.unwrap_err();
    assert!(matches!(e, BackupError::NotInitialised { .. }), "{e}");
    assert!(e.to_string().contains("passa db backup init"), "{e}");
    assert!(!fresh.exists());
}

#[tokio::test]
async fn the_policy_fails_when_the_newest_full_backup_is_too_old() {
    let b = backed_up_cluster("policy").await;
    let listing = backup::list(&b.stanza, SystemTime::now())
        .await
        .expect("a listing");
    assert_eq!(listing.backups.len(), 1);
    assert_eq!(listing.backups[0].kind, "full");
    listing
        .check_policy("test", Duration::from_secs(3600))
        .expect("a backup taken just now meets a one-hour policy");
    // Seen from two days later, it does not.
    let later = SystemTime::now() + Duration::from_secs(2 * 86_400);
    let listing = backup::list(&b.stanza, later).await.expect("a listing");
    let e = listing
        .check_policy("test", Duration::from_secs(26 * 3600))
        .unwrap_err();
    assert!(matches!(e, BackupError::Stale { .. }), "{e}");
    b.cluster.stop().await.expect("the cluster stops");
}

#[tokio::test]
async fn init_needs_a_superuser_and_writes_nothing_without_one() {
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| passa_db::config::DEFAULT_DATABASE_URL.to_owned());
    let mut conn = passa_db::connect(&passa_db::DbConfig::new(url))
        .await
        .expect("the test server");
    let superuser: bool =
        sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    if superuser {
        // Not this case: the URL's role is a superuser here, and init would reconfigure the
        // shared server. The refusal is covered where the tests run as the usual `passa`.
        eprintln!("DATABASE_URL connects as a superuser: skipping the refusal check");
        return;
    }
    let scratch = Scratch::new("init");
    let stanza = Stanza {
        name: "test".to_owned(),
        config_dir: scratch.0.join("config"),
        run_as: RunAs::default_for_this_process(),
    };
    let e = backup::init(
        &mut conn,
        &stanza,
        &backup::InitOptions {
            repo: scratch.0.join("repository"),
            repo2: None,
            retention_full: 2,
            retention_diff: 2,
            archive_timeout: Duration::from_secs(60),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(e, BackupError::NotSuperuser { .. }), "{e}");
    assert!(!scratch.0.exists(), "nothing written");
}
