//! Private keys (PEM, OpenSSH, PGP, PuTTY, age), JWTs and credential-bearing config blobs.

use super::{RuleSpec, Validator};

/// A PEM block rule: BEGIN line, body (raw or with `\n` escapes), END line or end of input.
macro_rules! pem {
    ($id:literal, $desc:literal, $label:literal) => {
        RuleSpec {
            id: $id,
            description: $desc,
            keywords: &["-----BEGIN"],
            pattern: concat!(
                r"-----BEGIN ",
                $label,
                r"-----(?:[A-Za-z0-9+/=\s:,\-]|\\[nrt]){40,}?(?:-----END ",
                $label,
                r"-----|$)"
            ),
            after: 16400,
            ..RuleSpec::DEFAULT
        }
    };
}

pub(super) const RULES: &[RuleSpec] = &[
    pem!(
        "private-key-rsa",
        "PEM RSA private key (PKCS#1)",
        "RSA PRIVATE KEY"
    ),
    pem!(
        "private-key-ec",
        "PEM EC private key (SEC1)",
        "EC PRIVATE KEY"
    ),
    pem!("private-key-dsa", "PEM DSA private key", "DSA PRIVATE KEY"),
    pem!(
        "private-key-openssh",
        "OpenSSH private key",
        "OPENSSH PRIVATE KEY"
    ),
    pem!("private-key-pkcs8", "PEM PKCS#8 private key", "PRIVATE KEY"),
    pem!(
        "private-key-pkcs8-encrypted",
        "PEM encrypted PKCS#8 private key",
        "ENCRYPTED PRIVATE KEY"
    ),
    pem!(
        "private-key-pgp",
        "PGP private key block",
        "PGP PRIVATE KEY BLOCK"
    ),
    pem!(
        "private-key-ssh2",
        "SSH2 (RFC 4716) encrypted private key",
        "SSH2 ENCRYPTED PRIVATE KEY"
    ),
    RuleSpec {
        id: "private-key-putty",
        description: "PuTTY private key file (.ppk)",
        keywords: &["PuTTY-User-Key-File"],
        pattern: r"PuTTY-User-Key-File-\d: [a-z0-9\-]+\s+Encryption: [a-z0-9\-]+\s+Comment: [^\n]*\s+Public-Lines: \d+\s+(?:[A-Za-z0-9+/=]+\s+){1,40}Private-Lines: \d+\s+(?:[A-Za-z0-9+/=]{4,}\s*){1,40}",
        after: 8192,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "age-secret-key",
        description: "age encryption secret key",
        keywords: &["secret"],
        exact_keywords: false,
        pattern: r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
        prefixed: true,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "jwt",
        description: "JSON Web Token (signed, three base64url parts)",
        keywords: &["eyJ"],
        pattern: r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}",
        prefixed: true,
        after: 14400,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "kubeconfig-client-key",
        description: "Kubernetes kubeconfig client-key-data",
        keywords: &["client-key-data"],
        exact_keywords: false,
        pattern: r"client-key-data:\s{0,4}([A-Za-z0-9+/=]{40,})",
        group: 1,
        after: 16100,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "docker-config-auth",
        description: "Docker config.json registry auth (base64 user:password)",
        keywords: &["auths"],
        exact_keywords: false,
        pattern: r#""auth"\s{0,4}:\s{0,4}"([A-Za-z0-9+/=]{8,})""#,
        group: 1,
        before: 8,
        after: 512,
        validators: &[Validator::NotPlaceholder],
        ..RuleSpec::DEFAULT
    },
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    let pem = |label: &str, seed: u64| {
        let body: Vec<String> = (0..6).map(|i| fill(B64, 64, seed + i)).collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            body.join("\n")
        )
    };
    let pem_escaped = |label: &str, seed: u64| {
        format!(
            "\"-----BEGIN {label}-----\\n{}\\n-----END {label}-----\\n\"",
            fill(B64, 64, seed)
        )
    };
    let neg = |label: &str| format!("-----BEGIN {label}-----\n-----END {label}-----");
    vec![
        s("private-key-rsa", vec![pem("RSA PRIVATE KEY", 1), pem_escaped("RSA PRIVATE KEY", 2)], vec![neg("RSA PRIVATE KEY"), pem("RSA PUBLIC KEY", 1)]),
        s("private-key-ec", vec![pem("EC PRIVATE KEY", 3)], vec![neg("EC PRIVATE KEY")]),
        s("private-key-dsa", vec![pem("DSA PRIVATE KEY", 4)], vec![neg("DSA PRIVATE KEY")]),
        s("private-key-openssh", vec![pem("OPENSSH PRIVATE KEY", 5)], vec![neg("OPENSSH PRIVATE KEY")]),
        s("private-key-pkcs8", vec![pem("PRIVATE KEY", 6)], vec![neg("PRIVATE KEY"), pem("PUBLIC KEY", 6)]),
        s("private-key-pkcs8-encrypted", vec![pem("ENCRYPTED PRIVATE KEY", 7)], vec![neg("ENCRYPTED PRIVATE KEY")]),
        s("private-key-pgp", vec![pem("PGP PRIVATE KEY BLOCK", 8)], vec![pem("PGP PUBLIC KEY BLOCK", 8)]),
        s("private-key-ssh2", vec![pem("SSH2 ENCRYPTED PRIVATE KEY", 9)], vec![neg("SSH2 ENCRYPTED PRIVATE KEY")]),
        s("private-key-putty", vec![format!("PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: rsa-key\nPublic-Lines: 2\n{}\n{}\nPrivate-Lines: 2\n{}\n{}\nPrivate-MAC: {}\n", fill(B64, 64, 10), fill(B64, 20, 11), fill(B64, 64, 12), fill(B64, 20, 13), fill(HEX, 40, 14))], vec!["PuTTY-User-Key-File-2: ssh-rsa".into()]),
        s("age-secret-key", vec![format!("AGE-SECRET-KEY-1{}", fill("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58, 15))], vec!["AGE-SECRET-KEY-1SHORT".into()]),
        s("jwt", vec![format!("Authorization: Bearer eyJ{}.eyJ{}.{}", fill(B64URL, 30, 16), fill(B64URL, 60, 17), fill(B64URL, 43, 18))], vec!["eyJhbGciOiJIUzI1NiJ9".into(), "eyJabc.eyJdef.ghi".into()]),
        s("kubeconfig-client-key", vec![format!("    client-key-data: {}", fill(B64, 200, 19))], vec!["    client-key-data: \"\"".into()]),
        s("docker-config-auth", vec![format!("{{\"auths\": {{\"https://index.docker.io/v1/\": {{\"auth\": \"{}\"}}}}}}", fill(B64, 24, 20))], vec!["{\"auths\": {\"x\": {\"auth\": \"\"}}}".into()]),
    ]
}
