//! What a connection reaches: the primary directly, a streaming replica, or PostgreSQL behind
//! a pooler. Each command checks what it needs:
//!
//! - `passa sync` needs the primary, directly: it writes, and it holds a session-level
//!   advisory lock, which a transaction-mode pooler (PgBouncer's `pool_mode = transaction`)
//!   would hand to whichever client gets that server connection next;
//! - the read-only commands given `--read-database-url` need a replica (a URL that reaches the
//!   primary is a mistake worth stopping for: the reads would load the server the replica is
//!   there to spare).
//!
//! A pooler is recognised by the port: the server reports the port it listens on
//! (`inet_server_port()`), and a client that connected to another port reached it through
//! something in between.

use sqlx::PgConnection;

use crate::config::DbConfig;

/// Why a connection is not the kind a command needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TopologyError {
    /// A writer connected to a replica.
    #[error(
        "{url} is a replica (pg_is_in_recovery() is true): {what} writes, so it needs the primary's URL"
    )]
    Replica {
        /// The URL, password masked.
        url: String,
        /// The command.
        what: &'static str,
    },
    /// A session-bound command connected through a pooler.
    #[error(
        "{url} reaches PostgreSQL's port {server_port} through port {url_port}, a pooler such as \
         PgBouncer: {what} holds a session-level advisory lock, which transaction pooling would \
         share with other clients. Connect it to PostgreSQL itself (port {server_port}); the \
         pooler is for the backend"
    )]
    Pooler {
        /// The URL, password masked.
        url: String,
        /// The command.
        what: &'static str,
        /// The port in the URL.
        url_port: u16,
        /// The port the server listens on.
        server_port: i32,
    },
    /// A read URL that reaches the primary.
    #[error(
        "--read-database-url {url} is not a replica (pg_is_in_recovery() is false): point it at \
         a streaming replica, or leave it out to read from the primary"
    )]
    NotAReplica {
        /// The URL, password masked.
        url: String,
    },
    /// The check's own query failed.
    #[error("checking what {url} reaches: {detail}")]
    Query {
        /// The URL, password masked.
        url: String,
        /// The driver's message.
        detail: String,
    },
}

async fn facts(
    conn: &mut PgConnection,
    config: &DbConfig,
) -> Result<(bool, Option<i32>), TopologyError> {
    sqlx::query_as("SELECT pg_is_in_recovery(), inet_server_port()")
        .fetch_one(conn)
        .await
        .map_err(|e| TopologyError::Query {
            url: config.masked_url(),
            detail: config.scrub(&e.to_string()),
        })
}

/// The port a TCP URL names (5432 when it names none); `None` for a Unix-socket URL.
fn url_port(config: &DbConfig) -> Option<u16> {
    let url = url::Url::parse(&config.database_url).ok()?;
    let host = url.host_str().unwrap_or("");
    let socket = host.is_empty()
        || url
            .query_pairs()
            .any(|(k, v)| k == "host" && v.starts_with('/'));
    (!socket).then(|| url.port().unwrap_or(5432))
}

/// Refuses a replica, and a pooler between `what` and the server.
///
/// # Errors
/// [`TopologyError::Replica`], [`TopologyError::Pooler`].
pub async fn require_direct_primary(
    conn: &mut PgConnection,
    config: &DbConfig,
    what: &'static str,
) -> Result<(), TopologyError> {
    let (in_recovery, server_port) = facts(conn, config).await?;
    if in_recovery {
        return Err(TopologyError::Replica {
            url: config.masked_url(),
            what,
        });
    }
    match (url_port(config), server_port) {
        (Some(url_port), Some(server_port)) if i32::from(url_port) != server_port => {
            Err(TopologyError::Pooler {
                url: config.masked_url(),
                what,
                url_port,
                server_port,
            })
        }
        _ => Ok(()),
    }
}

/// Refuses a read URL that is not a replica.
///
/// # Errors
/// [`TopologyError::NotAReplica`].
pub async fn require_replica(
    conn: &mut PgConnection,
    config: &DbConfig,
) -> Result<(), TopologyError> {
    let (in_recovery, _) = facts(conn, config).await?;
    if in_recovery {
        Ok(())
    } else {
        Err(TopologyError::NotAReplica {
            url: config.masked_url(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_its_port_or_a_socket() {
        let port = |u: &str| url_port(&DbConfig::new(u));
        assert_eq!(port("postgres://u:p@127.0.0.1:6432/d"), Some(6432));
        assert_eq!(port("postgres://u@db.example/d"), Some(5432));
        assert_eq!(port("postgres:///d?host=/var/run/postgresql"), None);
        assert_eq!(port("postgres://u@localhost/d?host=/tmp"), None);
    }
}
