//! Connecting and creating the database.
//!
//! Commands use one [`PgConnection`] each, opened by [`connect`] under a hard timeout: a
//! pool would retry for half a minute before admitting the server is not there, and a command
//! line tool should say so at once.

use std::str::FromStr;

use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, Postgres};

use crate::config::DbConfig;
use crate::error::{ConnectFailure, Error, Result};

/// Checks `config.database_url` and turns it into connection options, without connecting.
///
/// Rejects what is not a PostgreSQL URL with [`Error::InvalidUrl`] (password masked).
pub fn connect_options(config: &DbConfig) -> Result<PgConnectOptions> {
    let invalid = |reason: String| Error::InvalidUrl {
        url: config.masked_url(),
        reason,
    };
    let url = url::Url::parse(&config.database_url).map_err(|e| {
        invalid(format!(
            "{e} (expected postgres://USER:PASSWORD@HOST:PORT/DATABASE)"
        ))
    })?;
    match url.scheme() {
        "postgres" | "postgresql" => {}
        other => {
            return Err(invalid(format!(
                "unsupported scheme \"{other}\" (expected postgres:// or postgresql://)"
            )))
        }
    }
    let options = PgConnectOptions::from_str(&config.database_url)
        .map_err(|e| invalid(config.scrub(&e.to_string())))?;
    // Name ourselves in pg_stat_activity, unless the URL already chose a name.
    let named = url.query_pairs().any(|(k, _)| k == "application_name");
    Ok(if named {
        options
    } else {
        options.application_name("passa")
    })
}

/// Opens one connection to the database of `config`, giving up after
/// `config.connect_timeout`.
///
/// Every failure becomes [`Error::InvalidUrl`] or [`Error::Connect`], whose message names the
/// URL with the password masked and says why (refused, unknown host, timeout, authentication,
/// missing database).
pub async fn connect(config: &DbConfig) -> Result<PgConnection> {
    let options = connect_options(config)?;
    tracing::debug!(url = %config.masked_url(), "connecting");
    match tokio::time::timeout(config.connect_timeout, options.connect()).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(connect_error(config, classify(config, &options, &e))),
        Err(_elapsed) => Err(connect_error(
            config,
            ConnectFailure::Timeout(config.connect_timeout),
        )),
    }
}

/// Closes a connection politely (the server logs an abrupt disconnect otherwise). Errors are
/// ignored: the work is done by then.
pub async fn close(conn: PgConnection) {
    if let Err(e) = conn.close().await {
        tracing::debug!(error = %e, "closing the connection failed");
    }
}

/// What [`create_database`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    /// The database was created.
    Created(String),
    /// It was already there; nothing changed.
    AlreadyExists(String),
}

/// Creates the database named in `config.database_url` if it does not exist yet.
///
/// Connects to the server's maintenance database (`postgres`, or `template1` when the target
/// is `postgres` itself), as `createdb` does, so the user needs the CREATEDB right.
pub async fn create_database(config: &DbConfig) -> Result<CreateOutcome> {
    let options = connect_options(config)?;
    let database = options
        .get_database()
        .unwrap_or_else(|| options.get_username())
        .to_owned();
    let url = config.database_url.as_str();

    let exists = with_timeout(config, &options, &database, Postgres::database_exists(url)).await?;
    if exists {
        return Ok(CreateOutcome::AlreadyExists(database));
    }
    match with_timeout(config, &options, &database, Postgres::create_database(url)).await {
        Ok(()) => Ok(CreateOutcome::Created(database)),
        // Someone else created it between our check and our CREATE DATABASE: fine.
        Err(Error::CreateDatabase { source, .. }) if has_sqlstate(&source, "42P04") => {
            Ok(CreateOutcome::AlreadyExists(database))
        }
        Err(e) => Err(e),
    }
}

/// Runs one of sqlx's maintenance-database helpers (they connect on their own) under the
/// connect timeout, sorting their errors into connection problems and refusals.
async fn with_timeout<T>(
    config: &DbConfig,
    options: &PgConnectOptions,
    database: &str,
    fut: impl std::future::Future<Output = Result<T, sqlx::Error>>,
) -> Result<T> {
    match tokio::time::timeout(config.connect_timeout, fut).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) if is_connection_problem(&e) => {
            Err(connect_error(config, classify(config, options, &e)))
        }
        Ok(Err(source)) => Err(Error::CreateDatabase {
            database: database.to_owned(),
            url: config.masked_url(),
            source,
        }),
        Err(_elapsed) => Err(connect_error(
            config,
            ConnectFailure::Timeout(config.connect_timeout),
        )),
    }
}

fn connect_error(config: &DbConfig, reason: ConnectFailure) -> Error {
    Error::Connect {
        url: config.masked_url(),
        reason,
    }
}

/// Whether `e` is a server error with SQLSTATE `code`.
fn has_sqlstate(e: &sqlx::Error, code: &str) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some(code))
}

/// Whether `e` happened while establishing the connection rather than in a statement.
fn is_connection_problem(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::Configuration(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception, 28: invalid authorization, 3D000: no such database,
            // 53: insufficient resources (too many connections), 57P03: starting up.
            code.starts_with("08")
                || code.starts_with("28")
                || code.starts_with("53")
                || code == "3D000"
                || code == "57P03"
        }),
        _ => false,
    }
}

/// Sorts a connection error into a [`ConnectFailure`], scrubbing any password out of the
/// driver's message.
fn classify(config: &DbConfig, options: &PgConnectOptions, e: &sqlx::Error) -> ConnectFailure {
    match e {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            ConnectFailure::Refused
        }
        sqlx::Error::Io(io) if is_resolver_error(&io.to_string()) => ConnectFailure::UnknownHost {
            host: options.get_host().to_owned(),
            detail: config.scrub(&io.to_string()),
        },
        sqlx::Error::Database(db) => {
            let message = config.scrub(db.message());
            match db.code().as_deref() {
                Some(code) if code.starts_with("28") => ConnectFailure::Authentication(message),
                Some("3D000") => ConnectFailure::DatabaseMissing(
                    options
                        .get_database()
                        .unwrap_or_else(|| options.get_username())
                        .to_owned(),
                ),
                _ => ConnectFailure::Other(message),
            }
        }
        other => ConnectFailure::Other(config.scrub(&other.to_string())),
    }
}

/// Whether an I/O error message is the resolver saying the host name does not exist (the
/// standard library reports these as uncategorised errors, so the text is all there is).
fn is_resolver_error(message: &str) -> bool {
    [
        "failed to lookup address",
        "Name or service not known",
        "nodename nor servname",
        "No address associated with hostname",
        "Temporary failure in name resolution",
        "No such host is known",
    ]
    .iter()
    .any(|needle| message.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> DbConfig {
        DbConfig::new(url)
    }

    #[test]
    fn accepts_both_postgres_schemes() {
        for url in [
            "postgres://passa:pw@127.0.0.1:5432/passa",
            "postgresql://passa@localhost/passa?sslmode=disable",
        ] {
            let options = connect_options(&config(url)).map_err(|e| e.to_string());
            assert!(options.is_ok(), "{url}: {options:?}");
        }
    }

    #[test]
    fn rejects_other_schemes_with_the_password_masked() {
        let err = connect_options(&config("mysql://root:hunter2@localhost/passa"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            err,
            "invalid database URL \"mysql://root:****@localhost/passa\": unsupported scheme \
             \"mysql\" (expected postgres:// or postgresql://)"
        );
    }

    #[test]
    fn rejects_text_that_is_not_a_url_with_the_password_masked() {
        let err = connect_options(&config("passa:hunter2@localhost/passa"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.starts_with("invalid database URL \"passa:****@localhost/passa\": "),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn recognises_resolver_errors() {
        assert!(is_resolver_error(
            "failed to lookup address information: Name or service not known"
        ));
        assert!(!is_resolver_error("Connection reset by peer"));
    }

    #[test]
    fn connection_failures_read_well() {
        let err = connect_error(
            &config("postgres://passa:hunter2@127.0.0.1:5999/passa"),
            ConnectFailure::Refused,
        );
        assert_eq!(
            err.to_string(),
            "cannot connect to PostgreSQL at postgres://passa:****@127.0.0.1:5999/passa: \
             connection refused (is PostgreSQL running on that host and port?)"
        );
        let timeout = ConnectFailure::Timeout(std::time::Duration::from_secs(5));
        assert_eq!(
            timeout.to_string(),
            "no answer within 5 s (change it with --connect-timeout)"
        );
    }
}
