//! Settings that come from command-line flags and the environment.
//!
//! Today that is the PostgreSQL connection ([`DbConfig`]). The Stellar network settings
//! (`--network`, `STELLAR_RPC_URL`, `STELLAR_NETWORK_PASSPHRASE`) join this module with the
//! first command that talks to a network (`passa deploy`, `passa sync`).
//!
//! The module also owns [`mask_password`]: every place that shows a database URL to a human
//! (error messages, logs) goes through it, so a password never reaches a terminal or a CI log.

use std::ops::Range;
use std::time::Duration;

/// The database URL used when neither `--database-url` nor `DATABASE_URL` is given: the local
/// development database that `scripts/setup.sh` creates.
pub const DEFAULT_DATABASE_URL: &str = "postgres://passa:passa@127.0.0.1:5432/passa";

/// How long to wait for PostgreSQL to accept a connection, in seconds, unless
/// `--connect-timeout` says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 5;

/// The replacement shown instead of a password.
pub const MASK: &str = "****";

/// Where and how to reach PostgreSQL.
#[derive(Clone)]
pub struct DbConfig {
    /// The connection URL exactly as given (it may contain a password: never print it, print
    /// [`DbConfig::masked_url`]).
    pub database_url: String,
    /// Upper bound on establishing one connection (TCP, TLS negotiation, authentication).
    pub connect_timeout: Duration,
}

impl DbConfig {
    /// A configuration for `database_url` with the default connect timeout.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            connect_timeout: Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS),
        }
    }

    /// The URL with its password replaced by `****`, safe to show.
    pub fn masked_url(&self) -> String {
        mask_password(&self.database_url)
    }

    /// The secrets (passwords) the URL carries, raw and percent-decoded, so that text coming
    /// from elsewhere (a driver's error message) can be scrubbed of them.
    ///
    /// A password equal to the user name is left out: the user name is shown anyway, and
    /// scrubbing it would turn `role "passa" does not exist` into `role "****" …`.
    pub fn secrets(&self) -> Vec<String> {
        let user = url::Url::parse(&self.database_url)
            .map(|u| percent_decode(u.username()))
            .unwrap_or_default();
        let mut secrets = Vec::new();
        for range in secret_ranges(&self.database_url) {
            let raw = &self.database_url[range];
            if raw.is_empty() || (!user.is_empty() && percent_decode(raw) == user) {
                continue;
            }
            let decoded = percent_decode(raw);
            if decoded != raw {
                secrets.push(decoded);
            }
            secrets.push(raw.to_owned());
        }
        // Longest first, so that a secret containing another one is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets
    }

    /// `text` with every secret of the URL replaced by `****`.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in self.secrets() {
            text = text.replace(&secret, MASK);
        }
        text
    }
}

// Hand-written so that `{:?}` (in a log line or a test failure) cannot show the password.
impl std::fmt::Debug for DbConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbConfig")
            .field("database_url", &self.masked_url())
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

/// `url` with every password it carries replaced by `****`.
///
/// Works on text, not on a parsed URL, so that it also masks URLs that do not parse (those
/// are exactly the ones that end up in error messages). It masks:
/// - the password of the user-info part: whatever lies between the first `:` after `://`
///   (or after the start, when there is no scheme) and the last `@`;
/// - the value of a `password=` query parameter (any parameter whose name ends in `password`).
///
/// When in doubt it masks too much rather than too little.
pub fn mask_password(url: &str) -> String {
    let mut masked = String::with_capacity(url.len());
    let mut last = 0;
    for range in secret_ranges(url) {
        if range.is_empty() {
            continue;
        }
        masked.push_str(&url[last..range.start]);
        masked.push_str(MASK);
        last = range.end;
    }
    masked.push_str(&url[last..]);
    masked
}

/// Byte ranges of `url` that hold secrets, in order and not overlapping.
fn secret_ranges(url: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];

    // User info: `user:password@`. The last `@` is taken because a password may contain an
    // unescaped `@` (which makes the URL invalid, and such URLs are the ones we print).
    if let Some(at) = rest.rfind('@') {
        let userinfo = &rest[..at];
        if let Some(colon) = userinfo.find(':') {
            ranges.push(start + colon + 1..start + at);
        }
    }

    // Query parameters such as `?password=…`: every `?` or `&` starts a candidate, wherever it
    // is, so that a mangled URL cannot hide one.
    for (i, c) in rest.char_indices() {
        if c != '?' && c != '&' {
            continue;
        }
        let param_start = start + i + 1;
        let param_end = url[param_start..]
            .find(['&', '#'])
            .map_or(url.len(), |j| param_start + j);
        let param = &url[param_start..param_end];
        if let Some(eq) = param.find('=') {
            if param[..eq].to_ascii_lowercase().ends_with("password") {
                ranges.push(param_start + eq + 1..param_end);
            }
        }
    }

    // Sort and merge, so that masking replaces each secret region exactly once.
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Percent-decodes `s`, leaving invalid escapes as they are.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            out.push(hex_value(bytes[i + 1]) * 16 + hex_value(bytes[i + 2]));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of an ASCII hex digit (callers check `is_ascii_hexdigit` first).
fn hex_value(digit: u8) -> u8 {
    // `to_digit(16)` is below 16, so the conversion cannot truncate.
    char::from(digit).to_digit(16).unwrap_or(0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_password_of_a_valid_url() {
        assert_eq!(
            mask_password("postgres://passa:s3cret@127.0.0.1:5999/passa"),
            "postgres://passa:****@127.0.0.1:5999/passa"
        );
    }

    #[test]
    fn leaves_urls_without_password_alone() {
        for url in [
            "postgres://passa@127.0.0.1/passa",
            "postgres://127.0.0.1:5432/passa",
            "postgres:///passa",
            "",
            "not a url",
            "postgres://127.0.0.1/passa?sslmode=disable&application_name=x",
        ] {
            assert_eq!(mask_password(url), url);
        }
    }

    #[test]
    fn masks_an_empty_user() {
        assert_eq!(
            mask_password("postgresql://:pw@db.example.com/passa"),
            "postgresql://:****@db.example.com/passa"
        );
    }

    #[test]
    fn masks_passwords_containing_url_delimiters() {
        // Unescaped `@`, `/`, `:` and `?` make the URL invalid, but it must still be masked.
        assert_eq!(
            mask_password("postgres://passa:p@ss/w:rd?x@localhost:5432/passa"),
            "postgres://passa:****@localhost:5432/passa"
        );
        assert_eq!(
            mask_password("postgres://passa:p%40ss@localhost/passa"),
            "postgres://passa:****@localhost/passa"
        );
    }

    #[test]
    fn masks_urls_that_do_not_parse() {
        assert_eq!(
            mask_password("mysql://root:hunter2@[::1"),
            "mysql://root:****@[::1"
        );
        assert_eq!(
            mask_password("passa:hunter2@localhost/passa"),
            "passa:****@localhost/passa"
        );
        assert_eq!(
            mask_password("postgres://passa:hunter2@"),
            "postgres://passa:****@"
        );
    }

    #[test]
    fn masks_password_query_parameters() {
        assert_eq!(
            mask_password("postgres://localhost/passa?user=passa&password=hunter2&sslmode=disable"),
            "postgres://localhost/passa?user=passa&password=****&sslmode=disable"
        );
        assert_eq!(
            mask_password("postgres://u:a@localhost/passa?PASSWORD=b#frag"),
            "postgres://u:****@localhost/passa?PASSWORD=****#frag"
        );
    }

    #[test]
    fn masks_password_parameters_hidden_behind_a_stray_at_sign() {
        assert_eq!(
            mask_password("postgres://localhost/passa?password=hunter2&application_name=a@b"),
            "postgres://localhost/passa?password=****&application_name=a@b"
        );
    }

    #[test]
    fn scrubs_raw_and_decoded_passwords_from_text() {
        let config = DbConfig::new("postgres://passa:p%40ss%3Aword@localhost/passa");
        assert_eq!(
            config.scrub("failed for p@ss:word and p%40ss%3Aword"),
            "failed for **** and ****"
        );
        let debug = format!("{config:?}");
        let same = DbConfig::new("postgres://passa:passa@localhost/passa");
        assert_eq!(
            same.scrub("role \"passa\" does not exist"),
            "role \"passa\" does not exist"
        );
        assert!(!debug.contains("p%40ss"), "{debug}");
        assert!(debug.contains("passa:****@localhost"), "{debug}");
    }

    #[test]
    fn percent_decoding_tolerates_bad_escapes() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%é%4a"), "%éJ");
        assert_eq!(percent_decode("%4A%4a"), "JJ");
    }
}
