//! `clickhouse://[user[:pass]@]host[:port]/db?table=T` → where to send queries, as whom,
//! and which table. The password never appears in what [`ChUrl::shown`] gives.

use crate::ChError;

/// A parsed ClickHouse URL.
#[derive(Clone, PartialEq, Eq)]
pub struct ChUrl {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    pub database: String,
    pub table: String,
}

impl std::fmt::Debug for ChUrl {
    // Never the password, also not in a debug print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

/// True when `s` is meant as a ClickHouse source.
pub fn is_clickhouse_url(s: &str) -> bool {
    s.get(..13).is_some_and(|p| p.eq_ignore_ascii_case("clickhouse://"))
}

/// `%XX` decoding (user names and passwords may hold `@`, `:` or `/`).
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// An identifier ClickHouse takes without surprises: letters, digits, `_`, not
/// starting with a digit. Names are still quoted in SQL; this refuses the odd ones early.
fn plain_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

impl ChUrl {
    /// Parses the URL. The table defaults to `otel_logs`, the database to `default`, the
    /// port to 8123 (HTTP), the user to `default`.
    pub fn parse(url: &str) -> Result<ChUrl, ChError> {
        let shown = triage_text::display_url(url).into_owned();
        let bad = |why: &str| ChError::BadUrl {
            url: shown.clone(),
            why: why.to_string(),
        };
        if !is_clickhouse_url(url) {
            return Err(bad("it does not start with clickhouse://"));
        }
        let rest = &url[13..];
        let (before_query, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match before_query.split_once('/') {
            Some((a, p)) => (a, p),
            None => (before_query, ""),
        };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => ("default".to_string(), None),
            Some(u) => {
                let (name, pass) = match u.split_once(':') {
                    Some((n, p)) => (n, Some(p)),
                    None => (u, None),
                };
                let name = percent_decode(name).ok_or_else(|| bad("bad %-escape in the user name"))?;
                let pass = pass
                    .map(|p| percent_decode(p).ok_or_else(|| bad("bad %-escape in the password")))
                    .transpose()?;
                (if name.is_empty() { "default".to_string() } else { name }, pass)
            }
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
                let port = p.parse::<u16>().map_err(|_| bad("the port is not a number"))?;
                (h, port)
            }
            _ => (hostport, 8123),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        if !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'))
        {
            return Err(bad("the host name has characters a host name cannot have"));
        }
        let database = match path.trim_end_matches('/') {
            "" => "default".to_string(),
            db => db.to_string(),
        };
        if !plain_identifier(&database) {
            return Err(bad("the database name must be letters, digits and _"));
        }
        let mut table = "otel_logs".to_string();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "table" => table = percent_decode(v).ok_or_else(|| bad("bad %-escape in the table"))?,
                _ => return Err(bad(&format!("unknown parameter {k:?} (only table=)"))),
            }
        }
        if !plain_identifier(&table) {
            return Err(bad("the table name must be letters, digits and _"));
        }
        Ok(ChUrl {
            host: host.to_string(),
            port,
            user,
            password,
            database,
            table,
        })
    }

    /// The URL as messages show it: no password.
    pub fn shown(&self) -> String {
        let user = if self.user == "default" {
            String::new()
        } else {
            format!("{}@", self.user)
        };
        format!(
            "clickhouse://{user}{}:{}/{}?table={}",
            self.host, self.port, self.database, self.table
        )
    }

    /// The HTTP endpoint queries go to.
    pub fn http_base(&self) -> String {
        format!("http://{}:{}/", self.host, self.port)
    }

    /// `` `db`.`table` `` for SQL.
    pub fn qualified_table(&self) -> String {
        format!(
            "{}.{}",
            crate::sql::ident(&self.database),
            crate::sql::ident(&self.table)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_users_write() {
        let u = ChUrl::parse("clickhouse://127.0.0.1:18121/default?table=otel_logs").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.user.as_str()),
            ("127.0.0.1", 18121, "default")
        );
        assert_eq!((u.database.as_str(), u.table.as_str()), ("default", "otel_logs"));
        assert_eq!(u.password, None);
        let u = ChUrl::parse("clickhouse://ops:p%40ss:w@ch.internal/logs?table=logs_v2").unwrap();
        assert_eq!((u.user.as_str(), u.password.as_deref()), ("ops", Some("p@ss:w")));
        assert_eq!(
            (u.host.as_str(), u.port, u.database.as_str()),
            ("ch.internal", 8123, "logs")
        );
        assert_eq!(u.table, "logs_v2");
        let u = ChUrl::parse("CLICKHOUSE://h").unwrap();
        assert_eq!((u.database.as_str(), u.table.as_str()), ("default", "otel_logs"));
    }

    #[test]
    fn the_password_is_never_shown() {
        let u = ChUrl::parse("clickhouse://ops:hunter2@h:9/db?table=t").unwrap();
        assert!(!u.shown().contains("hunter2"));
        assert!(!format!("{u:?}").contains("hunter2"));
        let e = ChUrl::parse("clickhouse://ops:hunter2@h:x/db").unwrap_err().to_string();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("port"), "{e}");
    }

    #[test]
    fn odd_names_are_refused_with_the_reason() {
        for (url, why) in [
            ("http://h/db", "clickhouse://"),
            ("clickhouse:///db", "no host"),
            ("clickhouse://h/db?table=x;drop", "table name"),
            ("clickhouse://h/d-b", "database name"),
            ("clickhouse://h/db?tabel=x", "unknown parameter"),
            ("clickhouse://h:99999/db", "port"),
        ] {
            let e = ChUrl::parse(url).unwrap_err().to_string();
            assert!(e.contains(why), "{url}: {e}");
        }
    }
}
