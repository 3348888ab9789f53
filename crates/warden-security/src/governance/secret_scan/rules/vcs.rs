//! Source hosting and CI: GitHub, GitLab, Bitbucket, Atlassian, Sourcegraph, CircleCI,
//! Travis CI, Jenkins, Buildkite, Gitea, Codecov.

use super::{contextual, prefixed, RuleSpec, Validator};

pub(super) const RULES: &[RuleSpec] = &[
    prefixed!("github-pat", "GitHub personal access token (classic, ghp_)",
        ["ghp_"], r"\bghp_[A-Za-z0-9]{36}\b", validators: &[Validator::Base62Crc32]),
    prefixed!("github-oauth-token", "GitHub OAuth access token (gho_)",
        ["gho_"], r"\bgho_[A-Za-z0-9]{36}\b", validators: &[Validator::Base62Crc32]),
    prefixed!("github-user-to-server-token", "GitHub App user-to-server token (ghu_)",
        ["ghu_"], r"\bghu_[A-Za-z0-9]{36}\b", validators: &[Validator::Base62Crc32]),
    prefixed!("github-app-installation-token", "GitHub App installation (server-to-server) token (ghs_)",
        ["ghs_"], r"\bghs_[A-Za-z0-9]{36}\b", validators: &[Validator::Base62Crc32]),
    prefixed!(
        "github-refresh-token",
        "GitHub refresh token (ghr_)",
        ["ghr_"],
        r"\bghr_[A-Za-z0-9]{36,76}\b"
    ),
    prefixed!(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        ["github_pat_"],
        r"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b"
    ),
    prefixed!(
        "gitlab-pat",
        "GitLab personal/project/group access token",
        ["glpat-"],
        r"\bglpat-[0-9A-Za-z_\-]{20,64}(?:\.[0-9A-Za-z_\-]{2,16}){0,2}"
    ),
    prefixed!(
        "gitlab-pipeline-trigger-token",
        "GitLab pipeline trigger token",
        ["glptt-"],
        r"\bglptt-[0-9a-f]{40}\b"
    ),
    prefixed!(
        "gitlab-runner-token",
        "GitLab runner authentication token",
        ["glrt-"],
        r"\bglrt-[0-9A-Za-z_\-]{20,64}(?:\.[0-9A-Za-z_\-]{2,16}){0,2}"
    ),
    prefixed!(
        "gitlab-runner-registration-token",
        "GitLab runner registration token",
        ["GR1348941"],
        r"\bGR1348941[0-9A-Za-z_\-]{20}\b"
    ),
    prefixed!(
        "gitlab-deploy-token",
        "GitLab deploy token",
        ["gldt-"],
        r"\bgldt-[0-9A-Za-z_\-]{20,64}"
    ),
    prefixed!(
        "gitlab-cicd-job-token",
        "GitLab CI/CD job token",
        ["glcbt-"],
        r"\bglcbt-(?:[0-9A-Za-z]{1,5}_)?[0-9A-Za-z_\-]{20,64}"
    ),
    prefixed!(
        "gitlab-incoming-mail-token",
        "GitLab incoming mail token",
        ["glimt-"],
        r"\bglimt-[0-9A-Za-z_\-]{25}\b"
    ),
    prefixed!(
        "gitlab-feed-token",
        "GitLab feed token",
        ["glft-"],
        r"\bglft-[0-9A-Za-z_\-]{20,64}"
    ),
    prefixed!(
        "gitlab-oauth-app-secret",
        "GitLab OAuth application secret",
        ["gloas-"],
        r"\bgloas-[0-9A-Za-z_\-]{64}"
    ),
    prefixed!(
        "gitlab-scim-token",
        "GitLab SCIM OAuth token",
        ["glsoat-"],
        r"\bglsoat-[0-9A-Za-z_\-]{20,64}"
    ),
    prefixed!(
        "gitlab-feature-flag-token",
        "GitLab feature flags client token",
        ["glffct-"],
        r"\bglffct-[0-9A-Za-z_\-]{20,64}"
    ),
    prefixed!(
        "gitlab-agent-token",
        "GitLab agent for Kubernetes token",
        ["glagent-"],
        r"\bglagent-[0-9A-Za-z_\-]{50,64}"
    ),
    prefixed!(
        "bitbucket-app-password",
        "Bitbucket app password",
        ["ATBB"],
        r"\bATBB[A-Za-z0-9_=.\-]{32}"
    ),
    contextual!(
        "bitbucket-client-secret",
        "Bitbucket OAuth consumer secret",
        ["bitbucket"],
        r"[A-Za-z0-9=_\-]{64}"
    ),
    prefixed!("atlassian-api-token", "Atlassian (Jira/Confluence/Bitbucket) API token",
        ["ATATT3", "ATCTT3"], r"\bAT[AC]TT3[A-Za-z0-9_\-=]{150,}", after: 320),
    contextual!(
        "atlassian-api-token-legacy",
        "Atlassian API token (legacy 24-character form)",
        ["atlassian", "jira", "confluence"],
        r"[A-Za-z0-9]{24}"
    ),
    prefixed!(
        "sourcegraph-access-token",
        "Sourcegraph access token",
        ["sgp_"],
        r"\bsgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}\b"
    ),
    prefixed!(
        "circleci-personal-token",
        "CircleCI personal API token",
        ["CCIPAT_"],
        r"\bCCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}\b"
    ),
    contextual!(
        "circleci-token",
        "CircleCI API token (legacy)",
        ["circle"],
        r"[0-9a-f]{40}"
    ),
    contextual!(
        "travis-ci-token",
        "Travis CI access token",
        ["travis"],
        r"[A-Za-z0-9_\-]{22}"
    ),
    contextual!(
        "jenkins-api-token",
        "Jenkins API token",
        ["jenkins"],
        r"[0-9a-f]{34}"
    ),
    prefixed!(
        "buildkite-token",
        "Buildkite API access token",
        ["bkua_"],
        r"\bbkua_[a-z0-9]{40}\b"
    ),
    contextual!(
        "gitea-token",
        "Gitea / Forgejo access token",
        ["gitea", "forgejo"],
        r"[0-9a-f]{40}"
    ),
    contextual!(
        "codecov-token",
        "Codecov upload token",
        ["codecov"],
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    ),
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    let ctx = |var: &str, secret: &str| format!("{var}: '{secret}'");
    let bad_crc = |p: &str| {
        let mut t = crc_token(p, 99);
        let last = t.pop().unwrap_or('a');
        t.push(if last == 'a' { 'b' } else { 'a' });
        t
    };
    vec![
        s(
            "github-pat",
            vec![format!("GITHUB_TOKEN={}", crc_token("ghp_", 1))],
            vec![bad_crc("ghp_"), format!("ghp_{}", fill(ALNUM, 20, 1))],
        ),
        s(
            "github-oauth-token",
            vec![crc_token("gho_", 2)],
            vec![bad_crc("gho_")],
        ),
        s(
            "github-user-to-server-token",
            vec![crc_token("ghu_", 3)],
            vec![bad_crc("ghu_")],
        ),
        s(
            "github-app-installation-token",
            vec![crc_token("ghs_", 4)],
            vec![bad_crc("ghs_")],
        ),
        s(
            "github-refresh-token",
            vec![format!("ghr_{}", fill(ALNUM, 76, 5))],
            vec![format!("ghr_{}", fill(ALNUM, 20, 5))],
        ),
        s(
            "github-fine-grained-pat",
            vec![format!(
                "github_pat_{}_{}",
                fill(ALNUM, 22, 6),
                fill(ALNUM, 59, 7)
            )],
            vec![format!("github_pat_{}", fill(ALNUM, 22, 6))],
        ),
        s(
            "gitlab-pat",
            vec![format!("glpat-{}", fill(B64URL, 20, 8))],
            vec!["glpat-short".into()],
        ),
        s(
            "gitlab-pipeline-trigger-token",
            vec![format!("glptt-{}", fill(HEX, 40, 9))],
            vec![format!("glptt-{}", fill(HEX, 20, 9))],
        ),
        s(
            "gitlab-runner-token",
            vec![format!("glrt-{}", fill(B64URL, 20, 10))],
            vec!["glrt-short".into()],
        ),
        s(
            "gitlab-runner-registration-token",
            vec![format!("GR1348941{}", fill(ALNUM, 20, 11))],
            vec!["GR1348941short".into()],
        ),
        s(
            "gitlab-deploy-token",
            vec![format!("gldt-{}", fill(ALNUM, 20, 12))],
            vec!["gldt-short".into()],
        ),
        s(
            "gitlab-cicd-job-token",
            vec![format!("glcbt-64_{}", fill(ALNUM, 20, 13))],
            vec!["glcbt-short".into()],
        ),
        s(
            "gitlab-incoming-mail-token",
            vec![format!("glimt-{}", fill(ALNUM, 25, 14))],
            vec!["glimt-short".into()],
        ),
        s(
            "gitlab-feed-token",
            vec![format!("glft-{}", fill(ALNUM, 20, 15))],
            vec!["glft-short".into()],
        ),
        s(
            "gitlab-oauth-app-secret",
            vec![format!("gloas-{}", fill(ALNUM, 64, 16))],
            vec!["gloas-short".into()],
        ),
        s(
            "gitlab-scim-token",
            vec![format!("glsoat-{}", fill(ALNUM, 20, 17))],
            vec!["glsoat-short".into()],
        ),
        s(
            "gitlab-feature-flag-token",
            vec![format!("glffct-{}", fill(ALNUM, 20, 18))],
            vec!["glffct-short".into()],
        ),
        s(
            "gitlab-agent-token",
            vec![format!("glagent-{}", fill(ALNUM, 50, 19))],
            vec!["glagent-short".into()],
        ),
        s(
            "bitbucket-app-password",
            vec![format!("ATBB{}", fill(ALNUM, 32, 20))],
            vec!["ATBBshort".into()],
        ),
        s(
            "bitbucket-client-secret",
            vec![ctx("bitbucket_client_secret", &fill(ALNUM, 64, 21))],
            vec![ctx("bitbucket_client_secret", &fill(ALNUM, 20, 21))],
        ),
        s(
            "atlassian-api-token",
            vec![format!("ATATT3xFfGF0{}", fill(B64URL, 180, 22))],
            vec!["ATATT3short".into()],
        ),
        s(
            "atlassian-api-token-legacy",
            vec![ctx("JIRA_API_TOKEN", &fill(ALNUM, 24, 23))],
            vec![ctx("JIRA_API_TOKEN", &fill(ALNUM, 10, 23))],
        ),
        s(
            "sourcegraph-access-token",
            vec![format!("sgp_{}_{}", fill(HEX, 16, 24), fill(HEX, 40, 25))],
            vec!["sgp_short".into()],
        ),
        s(
            "circleci-personal-token",
            vec![format!(
                "CCIPAT_{}_{}",
                fill(ALNUM, 22, 26),
                fill(HEX, 40, 27)
            )],
            vec!["CCIPAT_short".into()],
        ),
        s(
            "circleci-token",
            vec![ctx("CIRCLE_TOKEN", &fill(HEX, 40, 28))],
            vec![ctx("CIRCLE_TOKEN", &fill(HEX, 12, 28))],
        ),
        s(
            "travis-ci-token",
            vec![ctx("TRAVIS_API_TOKEN", &fill(B64URL, 22, 29))],
            vec![ctx("TRAVIS_API_TOKEN", &fill(B64URL, 10, 29))],
        ),
        s(
            "jenkins-api-token",
            vec![ctx("JENKINS_API_TOKEN", &fill(HEX, 34, 30))],
            vec![ctx("JENKINS_API_TOKEN", &fill(HEX, 10, 30))],
        ),
        s(
            "buildkite-token",
            vec![format!("bkua_{}", fill(LOWNUM, 40, 31))],
            vec!["bkua_short".into()],
        ),
        s(
            "gitea-token",
            vec![ctx("GITEA_TOKEN", &fill(HEX, 40, 32))],
            vec![ctx("GITEA_TOKEN", &fill(HEX, 10, 32))],
        ),
        s(
            "codecov-token",
            vec![ctx("CODECOV_TOKEN", &uuid(33))],
            vec![ctx("CODECOV_TOKEN", "abc")],
        ),
    ]
}
