//! Observability and incident tooling: Datadog, New Relic, Sentry, Grafana, Honeycomb,
//! PagerDuty, Opsgenie, Splunk, Rollbar, Bugsnag, Dynatrace, LaunchDarkly.

use super::{contextual, prefixed, RuleSpec};

pub(super) const RULES: &[RuleSpec] = &[
    contextual!(
        "datadog-api-key",
        "Datadog API key",
        ["datadog", "dd_api", "dd-api"],
        r"[a-f0-9]{32}"
    ),
    contextual!(
        "datadog-app-key",
        "Datadog application key",
        ["datadog", "dd_app", "dd-app", "dd_application"],
        r"[a-f0-9]{40}"
    ),
    prefixed!(
        "new-relic-user-api-key",
        "New Relic user API key",
        ["NRAK-"],
        r"\bNRAK-[A-Z0-9]{27}\b"
    ),
    prefixed!(
        "new-relic-insert-key",
        "New Relic Insights insert key",
        ["NRII-"],
        r"\bNRII-[A-Za-z0-9_\-]{32}\b"
    ),
    prefixed!(
        "new-relic-browser-key",
        "New Relic browser API key",
        ["NRJS-"],
        r"\bNRJS-[a-f0-9]{19}\b"
    ),
    contextual!(
        "new-relic-license-key",
        "New Relic ingest license key",
        ["newrelic", "new_relic", "new-relic", "nr_license"],
        r"(?:[a-f0-9]{36}NRAL|[a-f0-9]{40})"
    ),
    prefixed!("sentry-org-token", "Sentry organization auth token",
        ["sntrys_"], r"\bsntrys_eyJ[A-Za-z0-9+/=_\-]{80,}", after: 420),
    prefixed!(
        "sentry-user-token",
        "Sentry user auth token",
        ["sntryu_"],
        r"\bsntryu_[a-f0-9]{64}\b"
    ),
    RuleSpec {
        id: "sentry-dsn",
        description: "Sentry DSN with its secret key",
        keywords: &["://"],
        context: &["sentry"],
        pattern: r"https?://([0-9a-f]{32})(?::[0-9a-f]{32})?@[a-z0-9.\-]{0,100}sentry[a-z0-9.\-]{0,100}/\d+",
        group: 1,
        ..RuleSpec::DEFAULT
    },
    prefixed!("grafana-cloud-token", "Grafana Cloud access policy token",
        ["glc_"], r"\bglc_[A-Za-z0-9+/]{32,}={0,2}", after: 420),
    prefixed!(
        "grafana-service-account-token",
        "Grafana service account token",
        ["glsa_"],
        r"\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b"
    ),
    prefixed!("grafana-api-key", "Grafana API key (legacy, base64 JSON)",
        ["eyJrIjoi"], r"\beyJrIjoi[A-Za-z0-9]{70,}={0,2}", after: 420),
    contextual!(
        "honeycomb-api-key",
        "Honeycomb API key",
        ["honeycomb"],
        r"[A-Za-z0-9]{22,32}"
    ),
    contextual!(
        "pagerduty-api-key",
        "PagerDuty API / integration key",
        ["pagerduty", "pager_duty"],
        r"[A-Za-z0-9_+\-]{20,32}"
    ),
    contextual!(
        "opsgenie-api-key",
        "Opsgenie API key",
        ["opsgenie"],
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    ),
    contextual!(
        "splunk-hec-token",
        "Splunk HTTP Event Collector token",
        ["splunk", "hec"],
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    ),
    contextual!(
        "rollbar-access-token",
        "Rollbar access token",
        ["rollbar"],
        r"[a-f0-9]{32}"
    ),
    contextual!(
        "bugsnag-api-key",
        "Bugsnag API key",
        ["bugsnag"],
        r"[a-f0-9]{32}"
    ),
    prefixed!(
        "dynatrace-api-token",
        "Dynatrace API token",
        ["dt0c01."],
        r"\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}\b"
    ),
    contextual!(
        "launchdarkly-access-token",
        "LaunchDarkly access / SDK key",
        ["launchdarkly", "launch_darkly", "ld_sdk", "ld_api"],
        r"(?:api|sdk)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    ),
    contextual!(
        "honeybadger-api-key",
        "Honeybadger API key",
        ["honeybadger"],
        r"hb[A-Za-z0-9_]{20,40}"
    ),
    contextual!(
        "logzio-token",
        "Logz.io shipping or API token",
        ["logzio", "logz_io", "logz.io"],
        r"[A-Za-z]{32}"
    ),
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    let ctx = |var: &str, secret: &str| format!("  {var}: {secret}\n");
    vec![
        s(
            "datadog-api-key",
            vec![ctx("DD_API_KEY", &fill(HEX, 32, 1))],
            vec![ctx("DD_API_KEY", &fill(HEX, 12, 1))],
        ),
        s(
            "datadog-app-key",
            vec![ctx("DD_APP_KEY", &fill(HEX, 40, 2))],
            vec![ctx("DD_APP_KEY", &fill(HEX, 12, 2))],
        ),
        s(
            "new-relic-user-api-key",
            vec![format!("NRAK-{}", fill(UPNUM, 27, 3))],
            vec!["NRAK-SHORT".into()],
        ),
        s(
            "new-relic-insert-key",
            vec![format!("NRII-{}", fill(B64URL, 32, 4))],
            vec!["NRII-short".into()],
        ),
        s(
            "new-relic-browser-key",
            vec![format!("NRJS-{}", fill(HEX, 19, 5))],
            vec!["NRJS-short".into()],
        ),
        s(
            "new-relic-license-key",
            vec![ctx(
                "NEW_RELIC_LICENSE_KEY",
                &format!("{}NRAL", fill(HEX, 36, 6)),
            )],
            vec![ctx("NEW_RELIC_LICENSE_KEY", &fill(HEX, 12, 6))],
        ),
        s(
            "sentry-org-token",
            vec![format!("sntrys_eyJ{}", fill(B64, 120, 7))],
            vec!["sntrys_eyJshort".into()],
        ),
        s(
            "sentry-user-token",
            vec![format!("sntryu_{}", fill(HEX, 64, 8))],
            vec!["sntryu_short".into()],
        ),
        s(
            "sentry-dsn",
            vec![format!(
                "SENTRY_DSN=https://{}@o123456.ingest.sentry.io/4504",
                fill(HEX, 32, 9)
            )],
            vec!["https://public@sentry.example.com/1".into()],
        ),
        s(
            "grafana-cloud-token",
            vec![format!("glc_{}", fill(B64, 60, 10))],
            vec!["glc_short".into()],
        ),
        s(
            "grafana-service-account-token",
            vec![format!("glsa_{}_{}", fill(ALNUM, 32, 11), fill(HEX, 8, 12))],
            vec!["glsa_short".into()],
        ),
        s(
            "grafana-api-key",
            vec![format!("eyJrIjoi{}", fill(ALNUM, 80, 13))],
            vec!["eyJrIjoishort".into()],
        ),
        s(
            "honeycomb-api-key",
            vec![ctx("HONEYCOMB_API_KEY", &fill(ALNUM, 22, 14))],
            vec![ctx("HONEYCOMB_API_KEY", &fill(ALNUM, 10, 14))],
        ),
        s(
            "pagerduty-api-key",
            vec![ctx("PAGERDUTY_API_KEY", &fill(ALNUM, 20, 15))],
            vec![ctx("PAGERDUTY_API_KEY", &fill(ALNUM, 10, 15))],
        ),
        s(
            "opsgenie-api-key",
            vec![ctx("OPSGENIE_API_KEY", &uuid(16))],
            vec![ctx("OPSGENIE_API_KEY", "abc")],
        ),
        s(
            "splunk-hec-token",
            vec![ctx("SPLUNK_HEC_TOKEN", &uuid(17))],
            vec![ctx("SPLUNK_HEC_TOKEN", "abc")],
        ),
        s(
            "rollbar-access-token",
            vec![ctx("ROLLBAR_ACCESS_TOKEN", &fill(HEX, 32, 18))],
            vec![ctx("ROLLBAR_ACCESS_TOKEN", &fill(HEX, 10, 18))],
        ),
        s(
            "bugsnag-api-key",
            vec![ctx("BUGSNAG_API_KEY", &fill(HEX, 32, 19))],
            vec![ctx("BUGSNAG_API_KEY", &fill(HEX, 10, 19))],
        ),
        s(
            "dynatrace-api-token",
            vec![format!(
                "dt0c01.{}.{}",
                fill(UPNUM, 24, 20),
                fill(UPNUM, 64, 21)
            )],
            vec!["dt0c01.SHORT.SHORT".into()],
        ),
        s(
            "launchdarkly-access-token",
            vec![ctx("LAUNCHDARKLY_SDK_KEY", &format!("sdk-{}", uuid(22)))],
            vec![ctx("LAUNCHDARKLY_SDK_KEY", "sdk-short")],
        ),
        s(
            "honeybadger-api-key",
            vec![ctx(
                "HONEYBADGER_API_KEY",
                &format!("hb{}", fill(ALNUM, 24, 23)),
            )],
            vec![ctx("HONEYBADGER_API_KEY", "hbshort")],
        ),
        s(
            "logzio-token",
            vec![ctx("LOGZIO_TOKEN", &fill(ALPHA, 32, 24))],
            vec![ctx("LOGZIO_TOKEN", &fill(ALPHA, 10, 24))],
        ),
    ]
}
