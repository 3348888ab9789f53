//! Developer platforms and secret managers: npm, PyPI, RubyGems, NuGet, crates.io, Docker
//! Hub, Terraform Cloud, HashiCorp Vault, Doppler, 1Password, Pulumi, JFrog, SonarQube,
//! Postman, Linear, Notion, Figma, Contentful, Databricks, Supabase, PlanetScale, Firebase,
//! Okta, Auth0, Snowflake, MongoDB Atlas, Algolia, Snyk, Readme.

use super::{contextual, prefixed, RuleSpec, Validator};

pub(super) const RULES: &[RuleSpec] = &[
    prefixed!("npm-access-token", "npm access token (npm_, checksummed)",
        ["npm_"], r"\bnpm_[A-Za-z0-9]{36}\b", validators: &[Validator::Base62Crc32]),
    prefixed!("pypi-upload-token", "PyPI / TestPyPI API token",
        ["pypi-"], r"\bpypi-AgE[A-Za-z0-9_\-]{70,}", after: 1100),
    prefixed!(
        "rubygems-api-key",
        "RubyGems API key",
        ["rubygems_"],
        r"\brubygems_[a-f0-9]{48}\b"
    ),
    prefixed!(
        "nuget-api-key",
        "NuGet API key",
        ["oy2"],
        r"\boy2[a-z0-9]{43}\b"
    ),
    prefixed!("crates-io-token", "crates.io API token",
        ["cio"], r"\bcio[a-zA-Z0-9]{32}\b", validators: &[Validator::HasDigit]),
    prefixed!(
        "dockerhub-token",
        "Docker Hub personal or organization access token",
        ["dckr_"],
        r"\bdckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,40}"
    ),
    prefixed!(
        "terraform-cloud-token",
        "Terraform Cloud / Enterprise API token",
        [".atlasv1."],
        r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,70}"
    ),
    prefixed!(
        "vault-service-token",
        "HashiCorp Vault service token (hvs.)",
        ["hvs."],
        r"\bhvs\.[A-Za-z0-9_\-]{90,120}"
    ),
    prefixed!(
        "vault-batch-token",
        "HashiCorp Vault batch token (hvb.)",
        ["hvb."],
        r"\bhvb\.[A-Za-z0-9_\-]{138,}"
    ),
    prefixed!(
        "vault-recovery-token",
        "HashiCorp Vault recovery token (hvr.)",
        ["hvr."],
        r"\bhvr\.[A-Za-z0-9_\-]{90,120}"
    ),
    contextual!(
        "vault-legacy-token",
        "HashiCorp Vault legacy service token (s.)",
        ["vault"],
        r"s\.[A-Za-z0-9]{24}"
    ),
    prefixed!(
        "doppler-token",
        "Doppler token (personal, service, service account, CLI, SCIM, audit)",
        ["dp."],
        r"\bdp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_\-]{1,40}\.)?[A-Za-z0-9]{40,44}\b"
    ),
    prefixed!("onepassword-service-account-token", "1Password service account token",
        ["ops_eyJ"], r"\bops_eyJ[A-Za-z0-9+/=_\-]{250,}", after: 2100),
    prefixed!(
        "onepassword-secret-key",
        "1Password account secret key",
        ["A3-"],
        r"\bA3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b"
    ),
    prefixed!(
        "pulumi-access-token",
        "Pulumi access token",
        ["pul-"],
        r"\bpul-[a-f0-9]{40}\b"
    ),
    prefixed!(
        "jfrog-api-key",
        "JFrog Artifactory API key",
        ["AKCp"],
        r"\bAKCp[A-Za-z0-9]{69}\b"
    ),
    prefixed!(
        "sonarqube-token",
        "SonarQube / SonarCloud token",
        ["sqp_", "squ_", "sqa_"],
        r"\bsq[pua]_[a-f0-9]{40}\b"
    ),
    prefixed!(
        "postman-api-key",
        "Postman API key",
        ["PMAK-"],
        r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b"
    ),
    prefixed!(
        "readme-api-key",
        "ReadMe API key",
        ["rdme_"],
        r"\brdme_[a-z0-9]{70}\b"
    ),
    prefixed!(
        "linear-api-key",
        "Linear API key",
        ["lin_"],
        r"\blin_api_[A-Za-z0-9]{40}\b"
    ),
    prefixed!(
        "linear-oauth-token",
        "Linear OAuth access token",
        ["lin_"],
        r"\blin_oauth_[a-f0-9]{64}\b"
    ),
    prefixed!("notion-integration-token", "Notion internal integration token (secret_)",
        ["secret"], r"\bsecret_[A-Za-z0-9]{43}\b", exact_keywords: false),
    prefixed!(
        "notion-api-token",
        "Notion API token (ntn_)",
        ["ntn_"],
        r"\bntn_[0-9]{11}[A-Za-z0-9]{35}\b"
    ),
    prefixed!(
        "figma-pat",
        "Figma personal access token",
        ["figd_"],
        r"\bfigd_[A-Za-z0-9_\-]{40}"
    ),
    prefixed!(
        "contentful-pat",
        "Contentful personal access token",
        ["CFPAT-"],
        r"\bCFPAT-[A-Za-z0-9_\-]{43}"
    ),
    prefixed!(
        "databricks-token",
        "Databricks personal access token",
        ["dapi"],
        r"\bdapi[a-f0-9]{32}(?:-\d)?\b"
    ),
    prefixed!(
        "supabase-access-token",
        "Supabase personal access token",
        ["sbp_"],
        r"\bsbp_[a-f0-9]{40}\b"
    ),
    prefixed!("supabase-secret-key", "Supabase secret API key (sb_secret_)",
        ["secret"], r"\bsb_secret_[A-Za-z0-9_\-]{31,64}", exact_keywords: false),
    prefixed!(
        "planetscale-token",
        "PlanetScale service token, password or OAuth token",
        ["pscale_"],
        r"\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9=\-_.]{32,64}"
    ),
    prefixed!(
        "firebase-cloud-messaging-key",
        "Firebase Cloud Messaging server key",
        ["AAAA"],
        r"\bAAAA[A-Za-z0-9_\-]{7}:[A-Za-z0-9_\-]{140}"
    ),
    contextual!(
        "okta-api-token",
        "Okta API token",
        ["okta"],
        r"00[A-Za-z0-9_\-]{40}"
    ),
    contextual!(
        "auth0-client-secret",
        "Auth0 client secret or management token",
        ["auth0"],
        r"[A-Za-z0-9_\-]{64}"
    ),
    contextual!("snowflake-password", "Snowflake account password",
        ["snowflake"], r#"[^\s"'`]{8,64}"#, validators: &[Validator::NotPlaceholder]),
    contextual!(
        "mongodb-atlas-api-key",
        "MongoDB Atlas API private key",
        ["atlas"],
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    ),
    contextual!(
        "algolia-admin-key",
        "Algolia admin API key",
        ["algolia"],
        r"[a-f0-9]{32}"
    ),
    contextual!(
        "snyk-token",
        "Snyk API token",
        ["snyk"],
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    ),
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    let ctx = |var: &str, secret: &str| format!("{var}={secret}\n");
    let bad_npm = {
        let mut t = crc_token("npm_", 9);
        let last = t.pop().unwrap_or('a');
        t.push(if last == 'a' { 'b' } else { 'a' });
        t
    };
    vec![
        s(
            "npm-access-token",
            vec![format!(
                "//registry.npmjs.org/:_authToken={}",
                crc_token("npm_", 1)
            )],
            vec![bad_npm],
        ),
        s(
            "pypi-upload-token",
            vec![format!(
                "password = pypi-AgEIcHlwaS5vcmc{}",
                fill(B64URL, 120, 2)
            )],
            vec!["pypi-AgEshort".into()],
        ),
        s(
            "rubygems-api-key",
            vec![format!("rubygems_{}", fill(HEX, 48, 3))],
            vec!["rubygems_short".into()],
        ),
        s(
            "nuget-api-key",
            vec![format!("oy2{}", fill(LOWNUM, 43, 4))],
            vec!["oy2short".into()],
        ),
        s(
            "crates-io-token",
            vec![format!("cio{}", fill(ALNUM, 32, 5))],
            vec!["ciosomethingshort".into()],
        ),
        s(
            "dockerhub-token",
            vec![format!("dckr_pat_{}", fill(B64URL, 27, 6))],
            vec!["dckr_pat_short".into()],
        ),
        s(
            "terraform-cloud-token",
            vec![format!(
                "{}.atlasv1.{}",
                fill(ALNUM, 14, 7),
                fill(B64URL, 67, 8)
            )],
            vec!["abc.atlasv1.def".into()],
        ),
        s(
            "vault-service-token",
            vec![format!("VAULT_TOKEN=hvs.{}", fill(B64URL, 95, 9))],
            vec!["hvs.short".into()],
        ),
        s(
            "vault-batch-token",
            vec![format!("hvb.{}", fill(B64URL, 150, 10))],
            vec!["hvb.short".into()],
        ),
        s(
            "vault-recovery-token",
            vec![format!("hvr.{}", fill(B64URL, 95, 11))],
            vec!["hvr.short".into()],
        ),
        s(
            "vault-legacy-token",
            vec![ctx("VAULT_TOKEN", &format!("s.{}", fill(ALNUM, 24, 12)))],
            vec![ctx("VAULT_TOKEN", "s.short")],
        ),
        s(
            "doppler-token",
            vec![
                format!("dp.st.{}", fill(ALNUM, 43, 13)),
                format!("dp.st.prd.{}", fill(ALNUM, 43, 13)),
            ],
            vec!["dp.st.short".into()],
        ),
        s(
            "onepassword-service-account-token",
            vec![format!("ops_eyJ{}", fill(B64, 300, 14))],
            vec!["ops_eyJshort".into()],
        ),
        s(
            "onepassword-secret-key",
            vec![format!(
                "A3-{}-{}-{}-{}-{}",
                fill(UPNUM, 6, 15),
                fill(UPNUM, 11, 16),
                fill(UPNUM, 5, 17),
                fill(UPNUM, 5, 18),
                fill(UPNUM, 5, 19)
            )],
            vec!["A3-ABCDEF-12345".into()],
        ),
        s(
            "pulumi-access-token",
            vec![format!("pul-{}", fill(HEX, 40, 20))],
            vec!["pul-short".into()],
        ),
        s(
            "jfrog-api-key",
            vec![format!("AKCp{}", fill(ALNUM, 69, 21))],
            vec!["AKCpshort".into()],
        ),
        s(
            "sonarqube-token",
            vec![format!("sqp_{}", fill(HEX, 40, 22))],
            vec!["sqp_short".into()],
        ),
        s(
            "postman-api-key",
            vec![format!("PMAK-{}-{}", fill(HEX, 24, 23), fill(HEX, 34, 24))],
            vec!["PMAK-short".into()],
        ),
        s(
            "readme-api-key",
            vec![format!("rdme_{}", fill(LOWNUM, 70, 25))],
            vec!["rdme_short".into()],
        ),
        s(
            "linear-api-key",
            vec![format!("lin_api_{}", fill(ALNUM, 40, 26))],
            vec!["lin_api_short".into()],
        ),
        s(
            "linear-oauth-token",
            vec![format!("lin_oauth_{}", fill(HEX, 64, 27))],
            vec!["lin_oauth_short".into()],
        ),
        s(
            "notion-integration-token",
            vec![format!("secret_{}", fill(ALNUM, 43, 28))],
            vec!["secret_short".into()],
        ),
        s(
            "notion-api-token",
            vec![format!(
                "ntn_{}{}",
                fill("0123456789", 11, 29),
                fill(ALNUM, 35, 30)
            )],
            vec!["ntn_short".into()],
        ),
        s(
            "figma-pat",
            vec![format!("figd_{}", fill(B64URL, 40, 31))],
            vec!["figd_short".into()],
        ),
        s(
            "contentful-pat",
            vec![format!("CFPAT-{}", fill(B64URL, 43, 32))],
            vec!["CFPAT-short".into()],
        ),
        s(
            "databricks-token",
            vec![format!("dapi{}", fill(HEX, 32, 33))],
            vec!["dapishort".into()],
        ),
        s(
            "supabase-access-token",
            vec![format!("sbp_{}", fill(HEX, 40, 34))],
            vec!["sbp_short".into()],
        ),
        s(
            "supabase-secret-key",
            vec![format!("sb_secret_{}", fill(B64URL, 31, 35))],
            vec!["sb_secret_short".into()],
        ),
        s(
            "planetscale-token",
            vec![format!("pscale_tkn_{}", fill(B64URL, 43, 36))],
            vec!["pscale_tkn_short".into()],
        ),
        s(
            "firebase-cloud-messaging-key",
            vec![format!(
                "AAAA{}:{}",
                fill(B64URL, 7, 37),
                fill(B64URL, 140, 38)
            )],
            vec!["AAAAabc:def".into()],
        ),
        s(
            "okta-api-token",
            vec![ctx(
                "OKTA_API_TOKEN",
                &format!("00{}", fill(B64URL, 40, 39)),
            )],
            vec![ctx("OKTA_API_TOKEN", "00short")],
        ),
        s(
            "auth0-client-secret",
            vec![ctx("AUTH0_CLIENT_SECRET", &fill(B64URL, 64, 40))],
            vec![ctx("AUTH0_CLIENT_SECRET", &fill(B64URL, 20, 40))],
        ),
        s(
            "snowflake-password",
            vec![ctx("SNOWFLAKE_PASSWORD", "Tr0ub4dor&3x")],
            vec![ctx("SNOWFLAKE_PASSWORD", "${SNOWFLAKE_PW}")],
        ),
        s(
            "mongodb-atlas-api-key",
            vec![ctx("ATLAS_PRIVATE_KEY", &uuid(41))],
            vec![ctx("ATLAS_PRIVATE_KEY", "abc")],
        ),
        s(
            "algolia-admin-key",
            vec![ctx("ALGOLIA_ADMIN_KEY", &fill(HEX, 32, 42))],
            vec![ctx("ALGOLIA_ADMIN_KEY", &fill(HEX, 10, 42))],
        ),
        s(
            "snyk-token",
            vec![ctx("SNYK_TOKEN", &uuid(43))],
            vec![ctx("SNYK_TOKEN", "abc")],
        ),
    ]
}
