//! The `postgres://` location: what `--db` holds, how it is shown, and how it becomes a
//! connection configuration.
//!
//! It exists apart from the queries because the URL carries the one secret of this
//! backend, the password: [`PgUrl`] never prints it (Display and Debug strip it), and
//! [`PgUrl::config`] is where the password is looked up as libpq does (the URL, then
//! `PGPASSWORD`, then the password file) and where `sslmode` picks the TLS policy.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use postgres::config::SslMode;

use super::pgpass;
use crate::error::{Error, Result};

/// How long to wait for the server to answer before giving up (exit 3).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL connection URL, as given. Shown only with its password stripped.
#[derive(Clone, PartialEq, Eq)]
pub struct PgUrl(String);

/// How far the server's certificate is checked, from `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// `sslmode=require` (or `prefer`): encrypted, certificate not checked, as libpq does
    /// without a root certificate.
    None,
    /// `sslmode=verify-ca`: the certificate must chain to a trusted root.
    Ca,
    /// `sslmode=verify-full`: and name the host.
    Full,
}

/// A connection configuration with its TLS policy.
pub struct Settings {
    pub config: postgres::Config,
    pub verify: Verify,
    /// `sslrootcert`: a PEM file of roots to trust, besides the system's.
    pub root_cert: Option<String>,
}

impl PgUrl {
    /// `postgres://…` or `postgresql://…`; anything else is not ours.
    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
        (lower.starts_with("postgres://") || lower.starts_with("postgresql://"))
            .then(|| Self(text.to_owned()))
    }

    /// The URL without its password (in the authority or as a `password=` parameter).
    pub fn redacted(&self) -> String {
        let text = &self.0;
        let Some(scheme_end) = text.find("://").map(|i| i + 3) else {
            return "postgres://".to_owned();
        };
        let (head, rest) = text.split_at(scheme_end);
        // The user information ends at the last '@': an unencoded '@', '/' or '?' in a
        // password must not leak what follows it.
        let rest = match rest.rfind('@') {
            Some(at) => {
                let user = rest[..at].split(':').next().unwrap_or_default();
                format!("{user}@{}", &rest[at + 1..])
            }
            None => rest.to_owned(),
        };
        let (authority_and_path, query) = match rest.split_once('?') {
            Some((before, query)) => (before.to_owned(), Some(query)),
            None => (rest.clone(), None),
        };
        let mut out = format!("{head}{authority_and_path}");
        if let Some(query) = query {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| {
                    let name = pair.split('=').next().unwrap_or_default();
                    !name.eq_ignore_ascii_case("password")
                })
                .collect();
            if !kept.is_empty() {
                out.push('?');
                out.push_str(&kept.join("&"));
            }
        }
        out
    }

    /// The connection configuration: the URL's settings, the password (URL, else
    /// `PGPASSWORD`, else `PGPASSFILE` / `~/.pgpass`), a connect timeout, and the TLS
    /// policy from `sslmode`.
    pub fn config(&self) -> Result<Settings> {
        let (text, verify, root_cert) = self.split_tls_options();
        let mut config = postgres::Config::from_str(&text)
            .map_err(|e| Error::UnsupportedDb(format!("{} ({e})", self.redacted())))?;
        if verify != Verify::None {
            config.ssl_mode(SslMode::Require);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("seenty-keys");
        }
        if config.get_password().is_none()
            && let Some(password) = lookup_password(&config)
        {
            config.password(password);
        }
        Ok(Settings {
            config,
            verify,
            root_cert,
        })
    }

    /// Takes out what the client crate does not parse: `sslmode=verify-ca|verify-full`
    /// and `sslrootcert`.
    fn split_tls_options(&self) -> (String, Verify, Option<String>) {
        let Some((base, query)) = self.0.split_once('?') else {
            return (self.0.clone(), Verify::None, None);
        };
        let mut verify = Verify::None;
        let mut root_cert = None;
        let mut kept = Vec::new();
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match (name, value) {
                ("sslmode", "verify-ca") => verify = Verify::Ca,
                ("sslmode", "verify-full") => verify = Verify::Full,
                ("sslrootcert", path) => root_cert = Some(path.to_owned()),
                _ => kept.push(pair),
            }
        }
        let text = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        (text, verify, root_cert)
    }
}

/// `PGPASSWORD`, else the first matching line of the password file.
fn lookup_password(config: &postgres::Config) -> Option<String> {
    if let Some(password) = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()) {
        return Some(password);
    }
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        // libpq matches a Unix-domain socket connection as "localhost".
        _ => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    // Without a user in the URL the client logs in as the OS user, as libpq does.
    let user = match config.get_user() {
        Some(user) => user.to_owned(),
        None => std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .ok()?,
    };
    let database = config.get_dbname().unwrap_or(&user).to_owned();
    pgpass::lookup(
        &pgpass::file()?,
        &pgpass::Wanted {
            host: &host,
            port,
            database: &database,
            user: &user,
        },
    )
}

impl fmt::Display for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PgUrl({:?})", self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(text: &str) -> String {
        PgUrl::parse(text).expect("a postgres URL").redacted()
    }

    #[test]
    fn schemes() {
        assert!(PgUrl::parse("postgres://u@h/db").is_some());
        assert!(PgUrl::parse("postgresql://u@h/db").is_some());
        assert!(PgUrl::parse("POSTGRES://u@h/db").is_some());
        assert!(PgUrl::parse("mysql://u@h/db").is_none());
        assert!(PgUrl::parse("keys.db").is_none());
    }

    #[test]
    fn passwords_are_stripped() {
        assert_eq!(
            redact("postgres://alice:s3cret@db:5432/keys"),
            "postgres://alice@db:5432/keys"
        );
        assert_eq!(
            redact("postgres://alice@db/keys"),
            "postgres://alice@db/keys"
        );
        assert_eq!(redact("postgres://db/keys"), "postgres://db/keys");
        assert_eq!(
            redact("postgres://a:p@ss/w@rd@db/keys"),
            "postgres://a@db/keys"
        );
        assert_eq!(
            redact("postgresql://a@db/keys?password=hunter2&sslmode=require"),
            "postgresql://a@db/keys?sslmode=require"
        );
        assert_eq!(
            redact("postgres://a@db/keys?password=x"),
            "postgres://a@db/keys"
        );
        assert_eq!(redact("postgres://a:p?w/d@db/keys"), "postgres://a@db/keys");
        let url = PgUrl::parse("postgres://alice:s3cret@db/keys").expect("url");
        assert!(!format!("{url} {url:?}").contains("s3cret"));
    }

    #[test]
    fn tls_options_are_taken_out() {
        let url = PgUrl::parse(
            "postgres://a@db/k?sslmode=verify-full&sslrootcert=/ca.pem&connect_timeout=3",
        )
        .expect("url");
        let settings = url.config().expect("config");
        assert_eq!(settings.verify, Verify::Full);
        assert_eq!(settings.root_cert.as_deref(), Some("/ca.pem"));
        assert_eq!(settings.config.get_ssl_mode(), SslMode::Require);
        assert_eq!(
            settings.config.get_connect_timeout(),
            Some(&Duration::from_secs(3))
        );
        let plain = PgUrl::parse("postgres://a@db/k")
            .expect("url")
            .config()
            .expect("config");
        assert_eq!(plain.verify, Verify::None);
        assert_eq!(plain.config.get_connect_timeout(), Some(&CONNECT_TIMEOUT));
    }

    #[test]
    fn a_bad_url_is_a_usage_error_without_the_password() {
        let url = PgUrl::parse("postgres://a:topsecret@db:notaport/k").expect("url");
        let Err(e) = url.config() else {
            panic!("a bad port is refused");
        };
        assert_eq!(e.exit(), crate::error::Exit::Usage);
        assert!(!e.to_string().contains("topsecret"), "{e}");
    }
}
