//! Rows archived to files: `COPY … TO STDOUT` of each table's rows, gzip-compressed, one file
//! per table, with a `manifest.json` giving each file's row count, size and SHA-256. The files
//! are PostgreSQL's own COPY text format, so `zcat users.copy.gz | psql -c 'COPY … FROM STDIN'`
//! loads them back by hand; [`import`] does it after checking every checksum.
//!
//! Used where rows leave the database but must not be lost: a reset network's mirror
//! (`passa sync reset`), partitions past their retention.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use futures_util::TryStreamExt as _;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

/// The manifest's file name in an archive directory.
pub const MANIFEST: &str = "manifest.json";

/// One archived table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArchivedTable {
    /// The table the rows came from.
    pub table: String,
    /// The file, relative to the archive's directory.
    pub file: String,
    /// Rows in it.
    pub rows: u64,
    /// Its size, bytes (compressed).
    pub bytes: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
}

/// An archive's manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// Why the rows were archived (`network reset: testnet`, `partition audit_logs_y2025m01`).
    pub reason: String,
    /// When, RFC 3339.
    pub created_at: String,
    /// The tables, in the order they were written (load them back in this order).
    pub tables: Vec<ArchivedTable>,
}

/// Why archiving failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// A file could not be written or read.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A COPY failed.
    #[error("{what}")]
    Sql {
        /// What was being done.
        what: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The directory already holds an archive.
    #[error("{} already holds an archive: choose a new directory", .0.display())]
    Exists(PathBuf),
    /// A file does not match its manifest.
    #[error("{file}: {why} — the archive is damaged or incomplete; nothing was loaded")]
    Damaged {
        /// The file.
        file: String,
        /// How it differs.
        why: String,
    },
}

fn io(what: String) -> impl FnOnce(std::io::Error) -> ArchiveError {
    move |source| ArchiveError::Io { what, source }
}

/// Writes each `(table, query)`'s rows (`query` selects them: `SELECT * FROM t WHERE …`) to
/// `dir` and the manifest last, so an archive without its manifest is known to be
/// incomplete. Run it inside the transaction that then deletes the rows: what was deleted is
/// what was archived.
///
/// # Errors
/// [`ArchiveError::Exists`] when `dir` holds a manifest; COPY and file errors.
pub async fn export(
    conn: &mut PgConnection,
    dir: &Path,
    reason: &str,
    tables: &[(&str, String)],
) -> Result<Manifest, ArchiveError> {
    if dir.join(MANIFEST).exists() {
        return Err(ArchiveError::Exists(dir.to_owned()));
    }
    std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
    let mut archived = Vec::with_capacity(tables.len());
    for (table, query) in tables {
        archived.push(export_table(conn, dir, table, query).await?);
    }
    let manifest = Manifest {
        reason: reason.to_owned(),
        created_at: chrono::Utc::now().to_rfc3339(),
        tables: archived,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| ArchiveError::Io {
        what: "writing the manifest".to_owned(),
        source: e.into(),
    })?;
    write_synced(&dir.join(MANIFEST), text.as_bytes())?;
    Ok(manifest)
}

async fn export_table(
    conn: &mut PgConnection,
    dir: &Path,
    table: &str,
    query: &str,
) -> Result<ArchivedTable, ArchiveError> {
    let file = format!("{table}.copy.gz");
    let path = dir.join(&file);
    let out = std::fs::File::create(&path).map_err(io(format!("creating {}", path.display())))?;
    let mut gzip = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    let mut rows = 0u64;
    let sql_error = |source| ArchiveError::Sql {
        what: format!("copying {table} out"),
        source,
    };
    let mut stream = conn
        .copy_out_raw(&format!("COPY ({query}) TO STDOUT"))
        .await
        .map_err(sql_error)?;
    while let Some(chunk) = stream.try_next().await.map_err(sql_error)? {
        rows += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        gzip.write_all(&chunk)
            .map_err(io(format!("writing {}", path.display())))?;
    }
    drop(stream);
    let out = gzip
        .finish()
        .map_err(io(format!("writing {}", path.display())))?;
    out.sync_all()
        .map_err(io(format!("writing {}", path.display())))?;
    let (bytes, sha256) = digest(&path)?;
    Ok(ArchivedTable {
        table: table.to_owned(),
        file,
        rows,
        bytes,
        sha256,
    })
}

/// The size and SHA-256 of a file.
fn digest(path: &Path) -> Result<(u64, String), ArchiveError> {
    let bytes = std::fs::read(path).map_err(io(format!("reading {}", path.display())))?;
    Ok((bytes.len() as u64, hex::encode(Sha256::digest(&bytes))))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ArchiveError> {
    let mut out =
        std::fs::File::create(path).map_err(io(format!("creating {}", path.display())))?;
    out.write_all(bytes)
        .and_then(|()| out.sync_all())
        .map_err(io(format!("writing {}", path.display())))
}

/// Reads and checks an archive's manifest: every file present with its size and checksum.
///
/// # Errors
/// [`ArchiveError::Damaged`] for a missing manifest or file, or one that differs.
pub fn check(dir: &Path) -> Result<Manifest, ArchiveError> {
    let damaged = |file: &str, why: String| ArchiveError::Damaged {
        file: file.to_owned(),
        why,
    };
    let text = std::fs::read_to_string(dir.join(MANIFEST))
        .map_err(|e| damaged(MANIFEST, format!("cannot be read ({e})")))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| damaged(MANIFEST, e.to_string()))?;
    for t in &manifest.tables {
        let (bytes, sha256) = digest(&dir.join(&t.file))
            .map_err(|e| damaged(&t.file, format!("cannot be read ({e})")))?;
        if bytes != t.bytes || sha256 != t.sha256 {
            return Err(damaged(
                &t.file,
                format!("SHA-256 {sha256}, manifest {}", t.sha256),
            ));
        }
    }
    Ok(manifest)
}

/// Loads an archive back, after [`check`]ing it: each file into `into(table)` (the table
/// itself, or another with the same columns), in the manifest's order, inside the caller's
/// transaction. Returns the rows loaded per table.
///
/// # Errors
/// [`ArchiveError::Damaged`]; the database's (a row it refuses aborts the caller's
/// transaction: nothing half-loaded).
pub async fn import(
    conn: &mut PgConnection,
    dir: &Path,
    into: &dyn Fn(&str) -> String,
) -> Result<Vec<(String, u64)>, ArchiveError> {
    use std::io::Read as _;
    let manifest = check(dir)?;
    let mut loaded = Vec::new();
    for t in &manifest.tables {
        let path = dir.join(&t.file);
        let file = std::fs::File::open(&path).map_err(io(format!("opening {}", path.display())))?;
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut text)
            .map_err(io(format!("decompressing {}", path.display())))?;
        let target = into(&t.table);
        let sql_error = |source| ArchiveError::Sql {
            what: format!("copying {} into {target}", t.file),
            source,
        };
        let mut copy = conn
            .copy_in_raw(&format!("COPY {target} FROM STDIN"))
            .await
            .map_err(sql_error)?;
        copy.send(text).await.map_err(sql_error)?;
        let rows = copy.finish().await.map_err(sql_error)?;
        loaded.push((t.table.clone(), rows));
    }
    Ok(loaded)
}
