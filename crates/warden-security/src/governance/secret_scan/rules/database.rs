//! Database and broker connection strings with embedded passwords.

use super::{RuleSpec, Validator};

/// A URL rule: `scheme://user:PASSWORD@host`, the password is the secret.
macro_rules! db_url {
    ($id:literal, $desc:literal, [$($ctx:literal),+], $scheme:literal) => {
        RuleSpec {
            id: $id,
            description: $desc,
            keywords: &["://"],
            context: &[$($ctx),+],
            pattern: concat!(
                r#"(?i:"#, $scheme,
                r#")://[^:/?#\s@"'<>]{0,128}:([^@/?#\s"'<>]{1,256})@[^\s"'/<>]{1,256}"#
            ),
            group: 1,
            validators: &[Validator::NotPlaceholder],
            before: 32,
            after: 600,
            ..RuleSpec::DEFAULT
        }
    };
}

pub(super) const RULES: &[RuleSpec] = &[
    db_url!(
        "postgres-url-password",
        "PostgreSQL connection URL with a password",
        ["postgres"],
        r"postgres(?:ql)?(?:\+[a-z0-9]+)?"
    ),
    db_url!(
        "mysql-url-password",
        "MySQL / MariaDB connection URL with a password",
        ["mysql", "mariadb"],
        r"(?:mysql|mariadb)(?:\+[a-z0-9]+)?"
    ),
    db_url!(
        "mongodb-url-password",
        "MongoDB connection URL (mongodb / mongodb+srv) with a password",
        ["mongodb"],
        r"mongodb(?:\+srv)?"
    ),
    db_url!(
        "redis-url-password",
        "Redis connection URL with a password",
        ["redis"],
        r"rediss?"
    ),
    db_url!(
        "amqp-url-password",
        "AMQP (RabbitMQ) connection URL with a password",
        ["amqp"],
        r"amqps?"
    ),
    db_url!(
        "mssql-url-password",
        "SQL Server connection URL with a password",
        ["sqlserver", "mssql"],
        r"(?:sqlserver|mssql)(?:\+[a-z0-9]+)?"
    ),
    db_url!(
        "clickhouse-url-password",
        "ClickHouse connection URL with a password",
        ["clickhouse"],
        r"clickhouse(?:\+[a-z0-9]+)?"
    ),
    db_url!(
        "ldap-url-password",
        "LDAP URL with a bind password",
        ["ldap"],
        r"ldaps?"
    ),
    db_url!(
        "ftp-url-password",
        "FTP / SFTP URL with a password",
        ["ftp"],
        r"s?ftps?"
    ),
    RuleSpec {
        id: "jdbc-password",
        description: "JDBC connection string with a password parameter",
        keywords: &["jdbc:"],
        exact_keywords: false,
        pattern: r#"jdbc:[a-z0-9]+:[^\s"'<>]{0,}?[;?&:](?i:password|pwd)=([^;&\s"'<>]{1,128})"#,
        group: 1,
        validators: &[Validator::NotPlaceholder],
        before: 8,
        after: 512,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "ado-connection-string-password",
        description: "ADO.NET / ODBC connection string with Password= or Pwd=",
        keywords: &["server=", "data source=", "host="],
        exact_keywords: false,
        pattern: r#"(?i:server|data source|host)=[^"'\n]{0,300}?(?i:password|pwd)\s{0,2}=\s{0,2}([^;"'\s<>]{3,128})\s{0,2}(?:;|$|["'])"#,
        group: 1,
        validators: &[Validator::NotPlaceholder],
        before: 8,
        after: 512,
        ..RuleSpec::DEFAULT
    },
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    let url =
        |scheme: &str| format!("DATABASE_URL={scheme}://app:Zq9-v7Lk2pW@db.internal:5432/app");
    vec![
        s(
            "postgres-url-password",
            vec![url("postgresql"), url("postgres+asyncpg")],
            vec![
                "postgres://app@db/app".into(),
                "postgres://user:${DB_PASSWORD}@db/app".into(),
            ],
        ),
        s(
            "mysql-url-password",
            vec![url("mysql")],
            vec!["mysql://root@localhost/db".into()],
        ),
        s(
            "mongodb-url-password",
            vec![url("mongodb+srv"), url("mongodb")],
            vec!["mongodb+srv://cluster0.mongodb.net/test".into()],
        ),
        s(
            "redis-url-password",
            vec!["redis://:s3cr3tRed1s@cache:6379/0".into(), url("rediss")],
            vec!["redis://cache:6379/0".into()],
        ),
        s(
            "amqp-url-password",
            vec![url("amqp")],
            vec!["amqp://guest@rabbit//".into()],
        ),
        s(
            "mssql-url-password",
            vec![url("sqlserver")],
            vec!["sqlserver://host/db".into()],
        ),
        s(
            "clickhouse-url-password",
            vec![url("clickhouse")],
            vec!["clickhouse://host:9000".into()],
        ),
        s(
            "ldap-url-password",
            vec![url("ldaps")],
            vec!["ldap://ldap.example.org/dc=x".into()],
        ),
        s(
            "ftp-url-password",
            vec![url("ftp")],
            vec!["ftp://ftp.example.org/pub".into()],
        ),
        s(
            "jdbc-password",
            vec!["jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=Kp7!xQ2z".into()],
            vec!["jdbc:postgresql://db/app?user=app".into()],
        ),
        s(
            "ado-connection-string-password",
            vec!["Server=tcp:db,1433;Database=app;User ID=sa;Password=Kp7xQ2zL9;".into()],
            vec!["Server=db;Database=app;Integrated Security=true;".into()],
        ),
    ]
}
