//! Catch-all rules: `password=`/`secret=`/`api_key=`/`token=` assignments (placeholders and
//! code references filtered out), Authorization headers and credentials in URLs. A generic
//! finding is dropped when a vendor rule reports an overlapping span.

use super::{RuleSpec, Validator};

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
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    vec![
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
