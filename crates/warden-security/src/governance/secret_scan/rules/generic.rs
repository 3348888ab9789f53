//! Catch-all rules: `password=`/`secret=`/`api_key=`/`token=` assignments (placeholders and
//! code references filtered out), Authorization headers and credentials in URLs. A generic
//! finding is dropped when a vendor rule reports an overlapping span.
//!
//! Also the passwords that commands take as arguments (`curl -u user:pw`, `mysql -ppw`,
//! `docker login -p pw`, `redis-cli -a pw`, `mongosh --password pw`, `sshpass -p pw`): specific
//! rules, not generic ones, so they win over `generic-password` where both match
//! (`--password=pw`). A lower-case word counts there (`sshpass -p raspberry`): after such a
//! flag it is a password, not a variable name.

use super::{RuleSpec, Validator};

/// Between a command's name and one of its flags: any arguments, on continued lines too
/// (`\` at a line's end), then the whitespace before the flag.
macro_rules! cli_gap {
    () => {
        r"(?:[^\n|;&\\]|\\[^\n]|\\\r?\n)*?(?:\s|\\\r?\n)"
    };
}

/// One character between a flag and its value: a blank, or a line continuation.
macro_rules! cli_sep {
    () => {
        r"(?:[ \t]|\\\r?\n)"
    };
}

/// A flag's value (group 1): optionally quoted, not starting with `-`, escaped characters
/// kept (a quoted value is taken to its closing quote: `quoted_value`).
macro_rules! cli_value {
    () => {
        r#"["']?((?:[^\s"'\\\-]|\\[^\n])(?:[^\s"'\\]|\\[^\n]){2,})"#
    };
}

/// A rule for a password given on a command line.
macro_rules! cli_password {
    ($id:literal, $desc:literal, [$($kw:literal),+], $pattern:expr, $after:literal) => {
        RuleSpec {
            id: $id,
            description: $desc,
            keywords: &[$($kw),+],
            exact_keywords: false,
            pattern: $pattern,
            group: 1,
            validators: &[Validator::NotPlaceholderText],
            before: 8,
            after: $after,
            quoted_value: true,
            ..RuleSpec::DEFAULT
        }
    };
}

pub(super) const RULES: &[RuleSpec] = &[
    RuleSpec {
        id: "generic-password",
        description:
            "Password assignment (password=, passwd:, pwd => …) with a non-placeholder value",
        keywords: &["pass", "pwd"],
        exact_keywords: false,
        pattern: r#"(?i:pass(?:word|wd|phrase)?|pwd)(?:[\w.\-]{0,20}?)["']?[ \t]{0,4}(?:=|:|=>|:=)[ \t]{0,4}["'`]?([^\s"'`,;<>(){}\[\]]{6,128})"#,
        group: 1,
        validators: &[Validator::NotPlaceholder],
        before: 48,
        generic: true,
        assignment: true,
        quoted_value: true,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "generic-secret",
        description: "Secret assignment (secret=, client_secret:, …) with a non-placeholder value",
        keywords: &["secret"],
        exact_keywords: false,
        pattern: r#"(?i:secret)(?:[\w.\-]{0,20}?)["']?[ \t]{0,4}(?:=|:|=>|:=)[ \t]{0,4}["'`]?([^\s"'`,;<>(){}\[\]]{8,256})"#,
        group: 1,
        validators: &[Validator::NotPlaceholder, Validator::MinEntropy(2.5)],
        before: 48,
        generic: true,
        assignment: true,
        quoted_value: true,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "generic-api-key",
        description: "API key assignment (api_key=, apiKey:, access_key, …) with a key-like value",
        keywords: &["key"],
        exact_keywords: false,
        pattern: r#"(?i:api[_\-]?key|apikey|access[_\-]?key|secret[_\-]?key|private[_\-]?key|auth[_\-]?key|client[_\-]?key)(?:[\w.\-]{0,20}?)["']?[ \t]{0,4}(?:=|:|=>|:=)[ \t]{0,4}["'`]?([A-Za-z0-9_\-+/=.~]{16,256})"#,
        group: 1,
        validators: &[Validator::NotPlaceholder, Validator::MinEntropy(3.0)],
        before: 48,
        generic: true,
        assignment: true,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "generic-token",
        description:
            "Token assignment (access_token=, auth_token:, bot_token, …) with a token-like value",
        keywords: &["token"],
        exact_keywords: false,
        pattern: r#"(?i:(?:access|auth|api|bearer|refresh|secret|bot|app|session|id)[_\-]?token)(?:[\w.\-]{0,20}?)["']?[ \t]{0,4}(?:=|:|=>|:=)[ \t]{0,4}["'`]?([A-Za-z0-9_\-+/=.~]{16,})"#,
        group: 1,
        validators: &[Validator::NotPlaceholder, Validator::MinEntropy(3.0)],
        before: 48,
        after: 1100,
        generic: true,
        assignment: true,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "authorization-bearer",
        description: "Authorization header with a bearer/token credential",
        keywords: &["auth"],
        exact_keywords: false,
        pattern: r#"(?i:authorization)["']?\s{0,4}[:=]\s{0,4}["']?(?i:bearer|token)\s{1,4}([A-Za-z0-9_\-.~+/=]{16,})"#,
        group: 1,
        validators: &[Validator::NotPlaceholder],
        after: 4200,
        generic: true,
        assignment: true,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "authorization-basic",
        description: "Authorization header with HTTP Basic credentials",
        keywords: &["auth"],
        exact_keywords: false,
        pattern: r#"(?i:authorization)["']?\s{0,4}[:=]\s{0,4}["']?(?i:basic)\s{1,4}([A-Za-z0-9+/]{8,}={0,2})"#,
        group: 1,
        validators: &[Validator::NotPlaceholder],
        after: 1100,
        generic: true,
        assignment: true,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "basic-auth-url",
        description: "Any URL with user:password@ credentials",
        keywords: &["://"],
        pattern: r#"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^:/?#\s@"'<>]{1,128}:([^@/?#\s"'<>]{3,256})@[A-Za-z0-9.\-\[\]]{1,253}"#,
        group: 1,
        validators: &[Validator::NotPlaceholder],
        before: 32,
        after: 700,
        generic: true,
        ..RuleSpec::DEFAULT
    },
    // Passwords given to a command on its command line (an agent's `Bash` call, a script).
    // Each is anchored on the command's name so that `-u`/`-p` of other programs never
    // count; the separator-less forms (`-uuser:pw`, `-ppw`) are the programs' own syntax.
    cli_password!(
        "curl-user-password",
        "curl with user:password credentials (-u / --user / --proxy-user / -U)",
        ["curl"],
        concat!(
            r"\bcurl\b",
            cli_gap!(),
            r"(?:-[A-Za-z]*u[ \t]{0,4}|-U[ \t]{0,4}|--(?:proxy-)?user(?:",
            cli_sep!(),
            r#"{1,8}|=))["']?[^\s:"']+:((?:[^\s"'\\]|\\[^\n]){3,})"#
        ),
        700
    ),
    cli_password!(
        "mysql-cli-password",
        "MySQL / MariaDB client with a password on the command line (-pPASSWORD, --password=)",
        ["mysql", "mariadb"],
        concat!(
            r"\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlsh|mariadb|mariadb-dump|mariadb-admin)\b",
            cli_gap!(),
            r"(?:-p|--password=)",
            cli_value!()
        ),
        420
    ),
    cli_password!(
        "registry-login-password",
        "Container registry or Helm login with the password on the command line (-p, --password)",
        ["login", "helm"],
        concat!(
            r"(?:\b(?:docker|podman|nerdctl|buildah|skopeo|oras|crane|helm(?:\s+registry)?)",
            r"(?:\s|\\\r?\n){1,8}login\b",
            cli_gap!(),
            r"(?:-p(?:",
            cli_sep!(),
            r"{1,8}|=)?|--password(?:",
            cli_sep!(),
            r"{1,8}|=))|\bhelm\b",
            cli_gap!(),
            r"--password(?:",
            cli_sep!(),
            r"{1,8}|=))",
            cli_value!()
        ),
        420
    ),
    cli_password!(
        "redis-cli-password",
        "redis-cli with the password on the command line (-a, --pass)",
        ["redis-cli"],
        concat!(
            r"\bredis-cli\b",
            cli_gap!(),
            r"(?:-a|--pass)",
            cli_sep!(),
            r"{1,8}",
            cli_value!()
        ),
        420
    ),
    cli_password!(
        "mongo-cli-password",
        "MongoDB shell or tools with the password on the command line (--password)",
        ["mongo"],
        concat!(
            r"\bmongo(?:sh|dump|restore|import|export|stat|top)?\b",
            cli_gap!(),
            r"--password(?:",
            cli_sep!(),
            r"{1,8}|=)",
            cli_value!()
        ),
        420
    ),
    cli_password!(
        "sshpass-password",
        "sshpass with the password on the command line (-p)",
        ["sshpass"],
        concat!(
            r"\bsshpass(?:\s|\\\r?\n){1,8}-p",
            cli_sep!(),
            r#"{0,8}["']?((?:[^\s"'\\]|\\[^\n]){3,})"#
        ),
        160
    ),
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    vec![
        s(
            "curl-user-password",
            vec![
                "curl -u admin:Kp7xQ2zL9w https://api.internal/v1/items".into(),
                "curl -s --user deploy:Zq9-v7Lk2pW -X POST https://ci.example.org/job".into(),
                "curl --user=bot:s3cr3tT0k3n https://h/".into(),
                "curl -uadmin:Kp7xQ2zL9w https://h/".into(),
                "curl -H 'Accept: */*' -u 'svc:Lk2pW!9zq' https://h/".into(),
                "curl -sSu admin:Kp7xQ2zL9w https://h/".into(),
                "curl --proxy-user px:Kp7xQ2zL9w -x http://proxy:3128 https://h/".into(),
                "curl -X POST \\\n  -u admin:Kp7xQ2zL9w \\\n  https://h/".into(),
            ],
            vec![
                "curl -u admin https://h/".into(),
                "curl -u \"$USER:$PASSWORD\" https://h/".into(),
                "curl -u admin:${API_TOKEN} https://h/".into(),
                "curl --user-agent Mozilla/5.0 https://h/".into(),
                "git log -u abc:def".into(),
                "echo curl; ls -u x:Kp7xQ2zL9w".into(),
            ],
        ),
        s(
            "mysql-cli-password",
            vec![
                "mysql -u root -pKp7xQ2zL9w app".into(),
                "mysqldump -uroot -p'Zq9-v7Lk2pW' app > dump.sql".into(),
                "mariadb -h db --password=s3cr3tDbPw -e 'select 1'".into(),
                "mysql -h db \\\n  -uroot -pKp7xQ2zL9w app".into(),
            ],
            vec![
                "mysql -u root -p app".into(),
                "mysql -u root -p -h db".into(),
                "mysql -u root -p$MYSQL_PWD app".into(),
                "mysql -u root --password app".into(),
                "mysql -P 3306 -h db".into(),
                "psql -p 5432 -U app".into(),
            ],
        ),
        s(
            "registry-login-password",
            vec![
                "docker login -u bob -p Kp7xQ2zL9w registry.example.com".into(),
                "docker login -u bob -pKp7xQ2zL9w registry.example.com".into(),
                "podman login --password=Zq9-v7Lk2pW -u ci quay.io".into(),
                "helm registry login ghcr.io --username u --password Kp7xQ2zL9w".into(),
                "helm repo add charts https://c.example.org --username u --password Kp7xQ2zL9w"
                    .into(),
            ],
            vec![
                "docker run -p 8080:80 nginx".into(),
                "docker login -u bob --password-stdin ghcr.io".into(),
                "docker login -u bob -p \"$REGISTRY_PASSWORD\" ghcr.io".into(),
                "helm install app ./chart -p values".into(),
            ],
        ),
        s(
            "redis-cli-password",
            vec!["redis-cli -h cache -a Kp7xQ2zL9w ping".into()],
            vec![
                "redis-cli -h cache ping".into(),
                "redis-cli -a $REDIS_PASSWORD ping".into(),
            ],
        ),
        s(
            "mongo-cli-password",
            vec![
                "mongosh --username app --password Kp7xQ2zL9w".into(),
                "mongodump -u app --password Zq9-v7Lk2pW --db app".into(),
            ],
            vec![
                "mongosh --username app --password".into(),
                "mongosh -u app -p".into(),
            ],
        ),
        s(
            "sshpass-password",
            vec![
                "sshpass -p Kp7xQ2zL9w ssh deploy@host".into(),
                "sshpass -p'Zq9-v7Lk2pW' scp f host:/tmp".into(),
                "sshpass \\\n  -p Kp7xQ2zL9w ssh deploy@host".into(),
                "sshpass -p raspberry ssh pi@host".into(),
            ],
            vec![
                "sshpass -e ssh deploy@host".into(),
                "sshpass -f ~/.pw ssh host".into(),
                "sshpass -p \"$SSHPASS\" ssh host".into(),
                "sshpass -p changeme ssh host".into(),
                "sshpass -p <password> ssh host".into(),
            ],
        ),
        s(
            "generic-password",
            vec![
                "DB_PASSWORD=hunter2!x".into(),
                "{\"password\": \"S3cr3t-Pa55\"}".into(),
                "passwd: q8Zr!kd0Lw".into(),
            ],
            vec![
                "password = ${DB_PASSWORD}".into(),
                "password: changeme".into(),
                "password=<password>".into(),
                "password = \"xxxxxxxx\"".into(),
                "password = new_password".into(),
                "password: example123".into(),
            ],
        ),
        s(
            "generic-secret",
            vec![
                "client_secret = \"k8Zq2LmN5vX1\"".into(),
                "SECRET: Zx81!qLm_0Pw".into(),
            ],
            vec![
                "secret = \"{{ vault_secret }}\"".into(),
                "secret: your_secret_here".into(),
                "secret=aaaaaaaaaaaa".into(),
            ],
        ),
        s(
            "generic-api-key",
            vec![
                format!("api_key = \"{}\"", fill(ALNUM, 32, 1)),
                format!("apiKey: '{}'", fill(B64URL, 24, 2)),
            ],
            vec![
                "api_key = \"YOUR_API_KEY_HERE\"".into(),
                "api_key = \"aaaaaaaaaaaaaaaaaaaa\"".into(),
                "apiKey: process.env.API_KEY".into(),
            ],
        ),
        s(
            "generic-token",
            vec![
                format!("access_token={}", fill(ALNUM, 40, 3)),
                format!("\"refresh_token\": \"{}\"", fill(B64URL, 64, 4)),
            ],
            vec![
                "access_token=${ACCESS_TOKEN}".into(),
                "auth_token: <token>".into(),
            ],
        ),
        s(
            "authorization-bearer",
            vec![format!("Authorization: Bearer {}", fill(B64URL, 40, 5))],
            vec![
                "Authorization: Bearer <token>".into(),
                "Authorization: Bearer $TOKEN".into(),
            ],
        ),
        s(
            "authorization-basic",
            vec!["Authorization: Basic dXNlcjpTM2NyM3QtUGE1NQ==".into()],
            vec!["Authorization: Basic <credentials>".into()],
        ),
        s(
            "basic-auth-url",
            vec!["git clone https://deploy:gH7kPq2xZ@git.internal.example.net/repo.git".into()],
            vec![
                "https://git.example.org/repo.git".into(),
                "https://user:${PASSWORD}@host/".into(),
                "https://user:<password>@host/".into(),
            ],
        ),
    ]
}
