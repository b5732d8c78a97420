//! Signing keys: where a command's secret comes from, and signing with it.
//!
//! A secret key (`S…`) is taken, in this order, from
//! 1. `--source FILE`: a file holding the `S…` key on one line, or a stellar CLI identity file
//!    (`secret_key = "S…"`);
//! 2. `--source NAME`: the stellar CLI identity NAME (`.stellar/identity/NAME.toml` in the
//!    current directory, else `$STELLAR_CONFIG_HOME/identity/NAME.toml`, else
//!    `~/.config/stellar/identity/NAME.toml`);
//! 3. the `PASSA_SECRET_KEY` environment variable.
//!
//! A secret given on the command line itself is refused: it would end up in the shell history
//! and in `ps`. Secrets are never written to the database or logs: [`Signer`]'s `Debug` shows
//! only the public key.

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer as _, SigningKey};
use stellar_xdr as xdr;

/// The environment variable that holds the default secret key.
pub const SECRET_KEY_ENV: &str = "PASSA_SECRET_KEY";

/// Why no key could be loaded or made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// No `--source` and no `PASSA_SECRET_KEY`.
    #[error(
        "no signing key: set {SECRET_KEY_ENV}, or pass --source with a key file or a stellar CLI \
         identity name (`passa keys generate --out FILE` makes one)"
    )]
    Missing,
    /// A secret key was passed as `--source` itself.
    #[error(
        "refusing a secret key on the command line (it would be kept in the shell history and \
         visible in `ps`): put it in {SECRET_KEY_ENV} or in a key file"
    )]
    SecretOnCommandLine,
    /// The text is not a valid `S…` strkey.
    #[error("{origin} does not hold a valid Stellar secret key (expected S… with 56 characters)")]
    Malformed {
        /// Where the text came from (never the text itself).
        origin: String,
    },
    /// The key file or identity could not be read.
    #[error("cannot read key file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `--source NAME` names no identity and no file.
    #[error(
        "no key file or stellar CLI identity named \"{name}\" (looked in {looked}); \
         list identities with `stellar keys ls`"
    )]
    UnknownIdentity {
        /// The name given.
        name: String,
        /// The places searched.
        looked: String,
    },
    /// The identity uses a seed phrase, which this tool does not derive keys from.
    #[error(
        "identity {} holds a seed phrase; passa reads only secret keys: export it with \
         `stellar keys show NAME` into a key file or {SECRET_KEY_ENV}",
        path.display()
    )]
    SeedPhrase {
        /// The identity file.
        path: PathBuf,
    },
    /// A generated key could not be written.
    #[error("cannot write key file {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The operating system's random source failed.
    #[error("cannot read random bytes for a new key: {0}")]
    Random(String),
    /// An address (`G…`/`C…`) given as input does not parse.
    #[error("\"{0}\" is not a Stellar account (G…) or contract (C…) address")]
    BadAddress(String),
}

/// An ed25519 key that signs transactions and authorizations for one Stellar account.
pub struct Signer {
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("address", &self.address())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer from an `S…` strkey; `origin` names where it came from for the error message.
    ///
    /// # Errors
    /// [`KeyError::Malformed`] when the text is not a secret key.
    pub fn from_secret(secret: &str, origin: &str) -> Result<Self, KeyError> {
        let malformed = || KeyError::Malformed {
            origin: origin.to_owned(),
        };
        let key = stellar_strkey::ed25519::PrivateKey::from_string(secret.trim())
            .map_err(|_| malformed())?;
        Ok(Self {
            key: SigningKey::from_bytes(&key.0),
        })
    }

    /// A new random key from the operating system's random source.
    ///
    /// # Errors
    /// [`KeyError::Random`] if the OS cannot give random bytes.
    pub fn generate() -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
        let key = SigningKey::from_bytes(&seed);
        seed.fill(0);
        Ok(Self { key })
    }

    /// The account's public key as a `G…` strkey.
    pub fn address(&self) -> String {
        format!("{}", stellar_strkey::ed25519::PublicKey(self.public_key()))
    }

    /// The raw public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The account id, as XDR.
    pub fn account_id(&self) -> xdr::AccountId {
        xdr::AccountId(xdr::PublicKey::PublicKeyTypeEd25519(xdr::Uint256(
            self.public_key(),
        )))
    }

    /// The account as a Soroban `Address`.
    pub fn sc_address(&self) -> xdr::ScAddress {
        xdr::ScAddress::Account(self.account_id())
    }

    /// The `S…` strkey; only for writing a key file.
    fn secret_strkey(&self) -> String {
        format!(
            "{}",
            stellar_strkey::ed25519::PrivateKey(self.key.to_bytes()).as_unredacted()
        )
    }

    /// Signs a 32-byte payload hash.
    pub fn sign(&self, payload: &[u8; 32]) -> [u8; 64] {
        self.key.sign(payload).to_bytes()
    }

    /// The decorated signature a transaction envelope carries for this key.
    pub fn decorated_signature(&self, tx_hash: &[u8; 32]) -> xdr::DecoratedSignature {
        let public = self.public_key();
        xdr::DecoratedSignature {
            hint: xdr::SignatureHint([public[28], public[29], public[30], public[31]]),
            signature: xdr::Signature(
                self.sign(tx_hash)
                    .to_vec()
                    .try_into()
                    .unwrap_or_else(|_| unreachable!("64 bytes fit a signature")),
            ),
        }
    }

    /// Writes the key to a new file `path` in the stellar CLI identity format, readable only by
    /// its owner. Refuses to overwrite an existing file.
    ///
    /// # Errors
    /// [`KeyError::Write`] when the file exists or cannot be written.
    pub fn write_key_file(&self, path: &Path) -> Result<(), KeyError> {
        use std::io::Write as _;
        let write_err = |source| KeyError::Write {
            path: path.to_owned(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(write_err)?;
        writeln!(file, "secret_key = \"{}\"", self.secret_strkey()).map_err(write_err)?;
        file.sync_all().map_err(write_err)
    }
}

/// Loads the signing key named by `source` (a file or a stellar CLI identity), or from
/// `PASSA_SECRET_KEY` when `source` is `None`.
///
/// # Errors
/// See [`KeyError`]: missing, malformed, unreadable, unknown identity, seed phrase, or a secret
/// given as `source`.
pub fn load(source: Option<&str>) -> Result<Signer, KeyError> {
    match source {
        Some(source) => load_from(source),
        None => {
            let secret = std::env::var(SECRET_KEY_ENV).map_err(|_| KeyError::Missing)?;
            Signer::from_secret(&secret, SECRET_KEY_ENV)
        }
    }
}

fn load_from(source: &str) -> Result<Signer, KeyError> {
    if source.trim_start().starts_with('S') && source.trim().len() == 56 {
        return Err(KeyError::SecretOnCommandLine);
    }
    let path = Path::new(source);
    if path.is_file() {
        return read_key_file(path);
    }
    let candidates = identity_paths(source);
    match candidates.iter().find(|p| p.is_file()) {
        Some(path) => read_key_file(path),
        None => Err(KeyError::UnknownIdentity {
            name: source.to_owned(),
            looked: candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Where the stellar CLI keeps identity NAME, most specific first.
fn identity_paths(name: &str) -> Vec<PathBuf> {
    let file = format!("{name}.toml");
    let mut paths = vec![Path::new(".stellar").join("identity").join(&file)];
    if let Some(home) = std::env::var_os("STELLAR_CONFIG_HOME") {
        paths.push(PathBuf::from(home).join("identity").join(&file));
    }
    if let Some(config) = std::env::var_os("XDG_CONFIG_HOME") {
        paths.push(PathBuf::from(config).join("stellar/identity").join(&file));
    } else if let Some(home) = std::env::var_os("HOME") {
        paths.push(
            PathBuf::from(home)
                .join(".config/stellar/identity")
                .join(&file),
        );
    }
    paths
}

/// Reads a key file: either the bare `S…` key or a TOML identity with `secret_key`.
fn read_key_file(path: &Path) -> Result<Signer, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
        path: path.to_owned(),
        source,
    })?;
    let origin = format!("key file {}", path.display());
    let trimmed = text.trim();
    if trimmed.starts_with('S') && !trimmed.contains('=') {
        return Signer::from_secret(trimmed, &origin);
    }
    let table: toml::Table = trimmed.parse().map_err(|_| KeyError::Malformed {
        origin: origin.clone(),
    })?;
    if let Some(secret) = table.get("secret_key").and_then(toml::Value::as_str) {
        return Signer::from_secret(secret, &origin);
    }
    if table.contains_key("seed_phrase") {
        return Err(KeyError::SeedPhrase {
            path: path.to_owned(),
        });
    }
    Err(KeyError::Malformed { origin })
}

/// Parses a `G…` account or `C…` contract strkey into a Soroban address.
///
/// # Errors
/// [`KeyError::BadAddress`] for anything else.
pub fn parse_address(text: &str) -> Result<xdr::ScAddress, KeyError> {
    match stellar_strkey::Strkey::from_string(text.trim()) {
        Ok(stellar_strkey::Strkey::PublicKeyEd25519(key)) => Ok(xdr::ScAddress::Account(
            xdr::AccountId(xdr::PublicKey::PublicKeyTypeEd25519(xdr::Uint256(key.0))),
        )),
        Ok(stellar_strkey::Strkey::Contract(id)) => {
            Ok(xdr::ScAddress::Contract(xdr::ContractId(xdr::Hash(id.0))))
        }
        _ => Err(KeyError::BadAddress(text.to_owned())),
    }
}

/// The strkey (`G…`, `C…`) of a Soroban address; other kinds are shown as XDR debug text.
pub fn address_strkey(address: &xdr::ScAddress) -> String {
    match address {
        xdr::ScAddress::Account(xdr::AccountId(xdr::PublicKey::PublicKeyTypeEd25519(key))) => {
            format!("{}", stellar_strkey::ed25519::PublicKey(key.0))
        }
        xdr::ScAddress::Contract(xdr::ContractId(hash)) => {
            format!("{}", stellar_strkey::Contract(hash.0))
        }
        other => format!("{other:?}"),
    }
}

/// An account to be the source of simulated reads (reads sign and send nothing): the `G…`
/// account `address` names (a contract's recorded deployer, say), or the all-zero account
/// when there is none or it is not an account.
pub fn read_source(address: Option<&str>) -> xdr::AccountId {
    match address.map(parse_address) {
        Some(Ok(xdr::ScAddress::Account(id))) => id,
        _ => xdr::AccountId(xdr::PublicKey::PublicKeyTypeEd25519(xdr::Uint256([0; 32]))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The strkey test vectors' secret key, and its account as other tools derive it.
    const SECRET: &str = "SBU2RRGLXH3E5CQHTD3ODLDF2BWDCYUSSBLLZ5GNW7JXHDIYKXZWHOKR";
    const PUBLIC: &str = "GA3D5KRYM6CB7OWQ6TWYRR3Z4T7GNZLKERYNZGGA5SOAOPIFY6YQHES5";

    #[test]
    fn secret_to_address() {
        let signer = Signer::from_secret(SECRET, "test").unwrap();
        assert_eq!(signer.address(), PUBLIC);
        assert!(!format!("{signer:?}").contains(SECRET));
        assert_eq!(address_strkey(&signer.sc_address()), PUBLIC);
        assert_eq!(parse_address(PUBLIC).unwrap(), signer.sc_address());
    }

    #[test]
    fn malformed_secrets_are_refused_without_echoing_them() {
        for bad in ["", "SBAD", PUBLIC, &SECRET[..55], &format!("{SECRET}A")] {
            let err = Signer::from_secret(bad, "PASSA_SECRET_KEY").unwrap_err();
            assert!(matches!(err, KeyError::Malformed { .. }), "{bad}");
            assert!(bad.is_empty() || !err.to_string().contains(bad));
        }
        assert!(matches!(
            load_from(SECRET),
            Err(KeyError::SecretOnCommandLine)
        ));
    }

    #[test]
    fn key_files_in_both_formats_and_identities() {
        let dir = std::env::temp_dir().join(format!("passa-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bare = dir.join("bare");
        std::fs::write(&bare, format!("{SECRET}\n")).unwrap();
        assert_eq!(load_from(bare.to_str().unwrap()).unwrap().address(), PUBLIC);

        let generated = Signer::generate().unwrap();
        let toml_file = dir.join("id.toml");
        let _ = std::fs::remove_file(&toml_file);
        generated.write_key_file(&toml_file).unwrap();
        assert_eq!(
            load_from(toml_file.to_str().unwrap()).unwrap().address(),
            generated.address()
        );
        // Never overwrites.
        assert!(matches!(
            generated.write_key_file(&toml_file),
            Err(KeyError::Write { .. })
        ));

        let seed = dir.join("seed.toml");
        std::fs::write(&seed, "seed_phrase = \"a b c\"\n").unwrap();
        assert!(matches!(
            load_from(seed.to_str().unwrap()),
            Err(KeyError::SeedPhrase { .. })
        ));
        let garbage = dir.join("garbage");
        std::fs::write(&garbage, "hello = 1\n").unwrap();
        assert!(matches!(
            load_from(garbage.to_str().unwrap()),
            Err(KeyError::Malformed { .. })
        ));
        assert!(matches!(
            load_from("no-such-identity-passa-test"),
            Err(KeyError::UnknownIdentity { .. })
        ));
        // A stellar CLI identity by name, where STELLAR_CONFIG_HOME says identities live.
        // (The only test that reads or sets that variable.)
        std::fs::create_dir_all(dir.join("identity")).unwrap();
        std::fs::write(
            dir.join("identity/passa-test-deployer.toml"),
            format!("secret_key = \"{SECRET}\"\n"),
        )
        .unwrap();
        std::env::set_var("STELLAR_CONFIG_HOME", &dir);
        let by_name = load_from("passa-test-deployer");
        std::env::remove_var("STELLAR_CONFIG_HOME");
        assert_eq!(by_name.unwrap().address(), PUBLIC);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(
            Signer::generate().unwrap().address(),
            Signer::generate().unwrap().address()
        );
    }
}
