//! Mapping driver errors onto [`StoreError`] without leaking connection secrets.

use warden_security::StoreError;

/// Maps a sqlx error: connection trouble is `Unavailable` (the caller fails closed and retries
/// later), undecodable data is `Corrupt`, everything else `Other`.
pub(crate) fn sql(e: sqlx::Error) -> StoreError {
    use sqlx::Error as E;
    match e {
        E::PoolTimedOut => {
            StoreError::Unavailable("timed out waiting for a database connection".into())
        }
        E::PoolClosed => StoreError::Unavailable("the database pool is closed".into()),
        E::Io(io) => StoreError::Unavailable(format!("database I/O error: {io}")),
        E::Tls(t) => StoreError::Unavailable(format!("database TLS error: {t}")),
        E::WorkerCrashed => StoreError::Unavailable("the database worker crashed".into()),
        E::Protocol(p) => StoreError::Unavailable(format!("database protocol error: {p}")),
        E::Database(db) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            let msg = db.message().to_owned();
            if is_unavailable_code(&code) {
                StoreError::Unavailable(format!("database unavailable ({code}): {msg}"))
            } else {
                StoreError::Other(format!("database error ({code}): {msg}"))
            }
        }
        E::RowNotFound => StoreError::Corrupt("expected row is missing".into()),
        E::ColumnDecode { index, source } => {
            StoreError::Corrupt(format!("column {index} does not decode: {source}"))
        }
        E::Decode(d) => StoreError::Corrupt(format!("value does not decode: {d}")),
        E::ColumnNotFound(c) => StoreError::Corrupt(format!("column {c} is missing")),
        E::TypeNotFound { type_name } => {
            StoreError::Corrupt(format!("type {type_name} is missing"))
        }
        E::Configuration(_) => {
            StoreError::Other("invalid database configuration (check the store URL)".into())
        }
        other => StoreError::Other(format!("database error: {other}")),
    }
}

/// SQLite `BUSY`/`LOCKED` (5, 6 and their extended codes) and PostgreSQL connection-class
/// (`08…`), shutdown (`57P0x`) and serialization (`40001`, `40P01`) codes.
fn is_unavailable_code(code: &str) -> bool {
    // SQLSTATEs are exactly 5 characters; SQLite (extended) result codes are at most 4 digits.
    if code.len() != 5 {
        return code.parse::<i64>().is_ok_and(|n| matches!(n & 0xff, 5 | 6));
    }
    code.starts_with("08") || code.starts_with("57P") || code == "40001" || code == "40P01"
}

/// Maps a redis error: I/O, timeouts and refused connections are `Unavailable`.
pub(crate) fn redis(e: &redis::RedisError) -> StoreError {
    if e.is_io_error()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_unrecoverable_error()
    {
        StoreError::Unavailable(format!("redis unavailable: {e}"))
    } else {
        StoreError::Other(format!("redis error: {e}"))
    }
}

/// A URL with its password (if any) replaced by `***`, for messages.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                format!("{scheme}://{user}@{host}{tail}")
            }
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_url_hides_the_password_only() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db?x=1"),
            "postgres://u:***@h:5432/db?x=1"
        );
        assert_eq!(redact_url("redis://h:6379"), "redis://h:6379");
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn busy_and_connection_codes_are_unavailable() {
        assert!(is_unavailable_code("5"));
        assert!(is_unavailable_code("517"));
        assert!(is_unavailable_code("08006"));
        assert!(is_unavailable_code("57P01"));
        assert!(!is_unavailable_code("23505"));
        assert!(!is_unavailable_code("19"));
    }
}
