//! What user agents say about their senders: the product tokens of crawlers, AI agents, HTTP
//! libraries and CLIs, headless browsers and offensive scanners, compiled into one word index
//! ([`super::agent_index`]).
//!
//! The knowledge comes from the operators' own documentation (search engines' and social
//! networks' crawler pages, AI vendors' bot pages, monitoring services' FAQ), the default
//! `User-Agent` of each HTTP library and tool, and the defaults of well-known scanners.
//!
//! Matching is **token-based**: an alphanumeric pattern edge must sit on a word boundary
//! (the neighbouring byte is not an ASCII letter or digit), so `zap` matches `OWASP ZAP` and
//! `ZAP/2.14` but not `Zapier`, and `nmap` does not match inside another word. Patterns that
//! begin or end with punctuation (`java/`, `${jndi:`) only check the alphanumeric edge.

/// What a matched user-agent token means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AgentKind {
    /// Search, social-preview, SEO, archive and monitoring crawlers.
    Crawler,
    /// AI crawlers, AI assistants fetching on a user's behalf, agent frameworks.
    AiAgent,
    /// HTTP libraries, CLIs, API tools, native-app network stacks.
    Script,
    /// Headless or automated browsers.
    Headless,
    /// Offensive and internet-wide scanners.
    Scanner,
    /// Exploit payloads carried in the user agent (Log4Shell, Shellshock, SQL injection).
    Exploit,
    /// Generic self-identification (`…bot/`, `crawler`, `spider`, a `+http` contact URL).
    GenericBot,
    /// Browsers and webviews that ship an older engine on purpose (Samsung Internet, UC,
    /// Electron apps, smart TVs): the outdated-browser rule does not apply to them.
    EngineFork,
    /// `Chrome/` version token (its major is parsed after the match).
    ChromeVersion,
    /// `Firefox/` version token.
    FirefoxVersion,
}

/// One user-agent rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AgentRule {
    /// The token as its owner documents it (matched ASCII-case-insensitively).
    pub pattern: &'static str,
    /// What it means.
    pub kind: AgentKind,
    /// For the seed's `is_scanner_agent`: 0 = not a seed rule; otherwise the rule fires when
    /// the whole (trimmed) user agent is shorter than this many bytes (`u16::MAX` = always).
    pub seed_max_len: u16,
    /// Whether the left edge must sit on a word boundary (false for suffixes such as `bot/`,
    /// which end product tokens like `Googlebot/`).
    pub left_boundary: bool,
}

const fn r(pattern: &'static str, kind: AgentKind) -> AgentRule {
    AgentRule {
        pattern,
        kind,
        seed_max_len: 0,
        left_boundary: true,
    }
}

const fn suffix(pattern: &'static str, kind: AgentKind) -> AgentRule {
    AgentRule {
        pattern,
        kind,
        seed_max_len: 0,
        left_boundary: false,
    }
}

const fn seed(pattern: &'static str, kind: AgentKind, max_len: u16) -> AgentRule {
    AgentRule {
        pattern,
        kind,
        seed_max_len: max_len,
        left_boundary: true,
    }
}

use AgentKind::{
    AiAgent, Crawler, EngineFork, Exploit, FirefoxVersion, GenericBot, Headless, Scanner, Script,
};

const ALWAYS: u16 = u16::MAX;

/// Every user-agent rule. Order does not matter: all matches are reported and the classifier
/// ranks them.
pub(crate) const AGENT_RULES: &[AgentRule] = &[
    // --- Search engines -------------------------------------------------------------------
    r("Googlebot", Crawler),
    r("Googlebot-Image", Crawler),
    r("Googlebot-News", Crawler),
    r("Googlebot-Video", Crawler),
    r("Storebot-Google", Crawler),
    r("Google-InspectionTool", Crawler),
    r("GoogleOther", Crawler),
    r("AdsBot-Google", Crawler),
    r("AdsBot-Google-Mobile", Crawler),
    r("Mediapartners-Google", Crawler),
    r("APIs-Google", Crawler),
    r("FeedFetcher-Google", Crawler),
    r("Google-Read-Aloud", Crawler),
    r("Google-Site-Verification", Crawler),
    r("Google Favicon", Crawler),
    r("Google-PageRenderer", Crawler),
    r("Chrome-Lighthouse", Crawler),
    r("bingbot", Crawler),
    r("BingPreview", Crawler),
    r("msnbot", Crawler),
    r("adidxbot", Crawler),
    r("MicrosoftPreview", Crawler),
    r("Slurp", Crawler),
    r("DuckDuckBot", Crawler),
    r("DuckDuckGo-Favicons-Bot", Crawler),
    r("Baiduspider", Crawler),
    r("YandexBot", Crawler),
    r("YandexImages", Crawler),
    r("YandexMobileBot", Crawler),
    r("YandexMetrika", Crawler),
    r("YandexRenderResourcesBot", Crawler),
    r("YandexAccessibilityBot", Crawler),
    r("Sogou web spider", Crawler),
    r("Exabot", Crawler),
    r("SeznamBot", Crawler),
    r("Qwantbot", Crawler),
    r("Qwantify", Crawler),
    r("Applebot", Crawler),
    r("Yeti", Crawler),
    r("coccocbot", Crawler),
    r("coccocbot-web", Crawler),
    r("MojeekBot", Crawler),
    r("Bravebot", Crawler),
    r("PetalBot", Crawler),
    r("ia_archiver", Crawler),
    r("archive.org_bot", Crawler),
    r("heritrix", Crawler),
    r("Mail.RU_Bot", Crawler),
    r("Daum", Crawler),
    // --- SEO and marketing crawlers --------------------------------------------------------
    r("AhrefsBot", Crawler),
    r("AhrefsSiteAudit", Crawler),
    r("SemrushBot", Crawler),
    r("SiteAuditBot", Crawler),
    r("MJ12bot", Crawler),
    r("DotBot", Crawler),
    r("rogerbot", Crawler),
    r("BLEXBot", Crawler),
    r("serpstatbot", Crawler),
    r("DataForSeoBot", Crawler),
    r("Screaming Frog SEO Spider", Crawler),
    r("barkrowler", Crawler),
    r("SEOkicks", Crawler),
    r("Seekport Crawler", Crawler),
    r("CriteoBot", Crawler),
    // --- Social networks and link previews -------------------------------------------------
    r("facebookexternalhit", Crawler),
    r("Facebot", Crawler),
    r("facebookcatalog", Crawler),
    r("meta-webindexer", Crawler),
    r("Twitterbot", Crawler),
    r("LinkedInBot", Crawler),
    r("Pinterestbot", Crawler),
    r("Slackbot", Crawler),
    r("Slackbot-LinkExpanding", Crawler),
    r("Slack-ImgProxy", Crawler),
    r("Discordbot", Crawler),
    r("TelegramBot", Crawler),
    r("WhatsApp", Crawler),
    r("redditbot", Crawler),
    r("Embedly", Crawler),
    r("Iframely", Crawler),
    r("SkypeUriPreview", Crawler),
    r("vkShare", Crawler),
    r("Snap URL Preview Service", Crawler),
    r("Mastodon", Crawler),
    r("Bluesky Cardyb", Crawler),
    r("Cardyb", Crawler),
    r("TikTokSpider", Crawler),
    r("Qwantbot-news", Crawler),
    r("Feedly", Crawler),
    r("Feedbin", Crawler),
    r("NewsBlur", Crawler),
    r("Inoreader", Crawler),
    // --- Monitoring, health checks, uptime --------------------------------------------------
    r("UptimeRobot", Crawler),
    r("Pingdom.com_bot_version", Crawler),
    r("PingdomPageSpeed", Crawler),
    r("PingdomTMS", Crawler),
    r("Dataprovider", Crawler),
    r("StatusCake", Crawler),
    r("Site24x7", Crawler),
    r("Better Uptime Bot", Crawler),
    r("BetterStackBot", Crawler),
    r("Datadog", Crawler),
    r("DatadogSynthetics", Crawler),
    r("NewRelicPinger", Crawler),
    r("Checkly", Crawler),
    r("Uptime-Kuma", Crawler),
    r("GoogleStackdriverMonitoring-UptimeChecks", Crawler),
    r("ELB-HealthChecker", Crawler),
    r("kube-probe", Crawler),
    r("Amazon-Route53-Health-Check-Service", Crawler),
    r("GoogleHC", Crawler),
    r("Consul Health Check", Crawler),
    r("Blackbox Exporter", Crawler),
    r("Prometheus", Crawler),
    r("Zabbix", Crawler),
    r("check_http", Crawler),
    r("nagios-plugins", Crawler),
    r("Freshping", Crawler),
    r("HetrixTools", Crawler),
    r("Cloudflare-Healthchecks", Crawler),
    r("Cloudflare-Traffic-Manager", Crawler),
    r("Catchpoint", Crawler),
    r("Uptimebot", Crawler),
    r("updown.io daemon", Crawler),
    r("Jetpack by WordPress.com", Crawler),
    r("W3C_Validator", Crawler),
    r("W3C-checklink", Crawler),
    r("Xenu Link Sleuth", Crawler),
    // --- AI crawlers, assistants and agents -------------------------------------------------
    r("GPTBot", AiAgent),
    r("ChatGPT-User", AiAgent),
    r("ChatGPT Agent", AiAgent),
    r("OAI-SearchBot", AiAgent),
    r("OAISearchBot", AiAgent),
    r("ClaudeBot", AiAgent),
    r("Claude-User", AiAgent),
    r("Claude-SearchBot", AiAgent),
    r("Claude-Web", AiAgent),
    r("Claude-Code", AiAgent),
    r("claude-cli", AiAgent),
    r("anthropic-ai", AiAgent),
    r("PerplexityBot", AiAgent),
    r("Perplexity-User", AiAgent),
    r("Google-Extended", AiAgent),
    r("Google-Agent", AiAgent),
    r("GoogleAgent-Mariner", AiAgent),
    r("Google-CloudVertexBot", AiAgent),
    r("Google-NotebookLM", AiAgent),
    r("Gemini-Deep-Research", AiAgent),
    r("Applebot-Extended", AiAgent),
    r("Bytespider", AiAgent),
    r("CCBot", AiAgent),
    r("meta-externalagent", AiAgent),
    r("meta-externalfetcher", AiAgent),
    r("FacebookBot", AiAgent),
    r("Amazonbot", AiAgent),
    r("Amzn-SearchBot", AiAgent),
    r("Amzn-User", AiAgent),
    r("NovaAct", AiAgent),
    r("cohere-ai", AiAgent),
    r("cohere-training-data-crawler", AiAgent),
    r("Diffbot", AiAgent),
    r("YouBot", AiAgent),
    r("MistralAI-User", AiAgent),
    r("DuckAssistBot", AiAgent),
    r("AI2Bot", AiAgent),
    r("Ai2Bot-Dolma", AiAgent),
    r("DeepSeekBot", AiAgent),
    r("PanguBot", AiAgent),
    r("PhindBot", AiAgent),
    r("TavilyBot", AiAgent),
    r("ExaBot", AiAgent),
    r("LinkupBot", AiAgent),
    r("kagi-fetcher", AiAgent),
    r("FirecrawlAgent", AiAgent),
    r("Crawl4AI", AiAgent),
    r("Manus-User", AiAgent),
    r("Devin", AiAgent),
    r("iaskspider", AiAgent),
    r("Timpibot", AiAgent),
    r("ImagesiftBot", AiAgent),
    r("img2dataset", AiAgent),
    r("omgili", AiAgent),
    r("omgilibot", AiAgent),
    r("Webzio-Extended", AiAgent),
    r("Cotoyogi", AiAgent),
    r("Kangaroo Bot", AiAgent),
    r("ICC-Crawler", AiAgent),
    r("QuillBot", AiAgent),
    r("AzureAI-SearchBot", AiAgent),
    r("Cloudflare-AutoRAG", AiAgent),
    r("ChatGLM-Spider", AiAgent),
    r("bedrockbot", AiAgent),
    r("LAIONDownloader", AiAgent),
    r("Brightbot", AiAgent),
    // --- HTTP libraries, CLIs, API tools, app network stacks --------------------------------
    seed("curl", Script, 20),
    r("libcurl", Script),
    seed("Wget", Script, 20),
    r("aria2", Script),
    r("HTTPie", Script),
    r("xh", Script),
    seed("python-requests", Script, 30),
    r("Python-urllib", Script),
    r("python-httpx", Script),
    r("aiohttp", Script),
    r("urllib3", Script),
    r("httplib2", Script),
    r("pycurl", Script),
    r("Python-xmlrpc", Script),
    r("Scrapy", Script),
    r("Mechanize", Script),
    r("WWW-Mechanize", Script),
    seed("Go-http-client", Script, 30),
    r("Go http package", Script),
    r("fasthttp", Script),
    r("colly", Script),
    r("grpc-go", Script),
    r("node-fetch", Script),
    r("axios", Script),
    r("undici", Script),
    r("got", Script),
    r("node-superagent", Script),
    r("Deno", Script),
    r("Bun", Script),
    r("okhttp", Script),
    seed("Java/", Script, ALWAYS),
    r("Java-http-client", Script),
    seed("Apache-HttpClient", Script, ALWAYS),
    seed("HttpClient", Script, ALWAYS),
    r("Jakarta Commons-HttpClient", Script),
    r("Apache-CXF", Script),
    r("Jersey", Script),
    r("AHC", Script),
    r("Custom-AsyncHttpClient", Script),
    seed("HttpUnit", Script, ALWAYS),
    r("libwww-perl", Script),
    r("lwp-request", Script),
    r("LWP::Simple", Script),
    seed("Ruby", Script, 25),
    r("Faraday", Script),
    r("rest-client", Script),
    r("Typhoeus", Script),
    r("HTTParty", Script),
    r("GuzzleHttp", Script),
    r("Symfony HttpClient", Script),
    seed("WordPress", Script, ALWAYS),
    seed("wp-http", Script, ALWAYS),
    seed("wp-cron", Script, ALWAYS),
    r("RestSharp", Script),
    r("WindowsPowerShell", Script),
    r("PowerShell", Script),
    r("PostmanRuntime", Script),
    r("insomnia", Script),
    r("Paw", Script),
    r("Dart", Script),
    r("reqwest", Script),
    r("hyper", Script),
    r("Boto3", Script),
    r("Botocore", Script),
    r("aws-sdk-go", Script),
    r("aws-sdk-java", Script),
    r("aws-sdk-js", Script),
    r("Dalvik", Script),
    r("CFNetwork", Script),
    r("Alamofire", Script),
    r("Cronet", Script),
    r("HTTrack", Script),
    r("Nutch", Script),
    r("Apache-Nutch", Script),
    seed("probe-image-size", Script, ALWAYS),
    r("Wappalyzer", Script),
    // --- Headless and automated browsers ----------------------------------------------------
    r("HeadlessChrome", Headless),
    r("PhantomJS", Headless),
    r("Puppeteer", Headless),
    r("Playwright", Headless),
    r("SlimerJS", Headless),
    r("Selenium", Headless),
    r("WebDriver", Headless),
    r("Splash", Headless),
    r("jsdom", Headless),
    // --- Offensive and internet-wide scanners -----------------------------------------------
    r("sqlmap", Scanner),
    r("Nikto", Scanner),
    r("Nuclei", Scanner),
    r("projectdiscovery", Scanner),
    r("httpx-projectdiscovery", Scanner),
    r("masscan", Scanner),
    r("masscan-ng", Scanner),
    r("zgrab", Scanner),
    r("zmap", Scanner),
    r("Nmap", Scanner),
    r("Nmap Scripting Engine", Scanner),
    r("WPScan", Scanner),
    r("DirBuster", Scanner),
    r("dirb", Scanner),
    r("dirsearch", Scanner),
    r("gobuster", Scanner),
    r("ffuf", Scanner),
    r("Fuzz Faster U Fool", Scanner),
    r("feroxbuster", Scanner),
    r("wfuzz", Scanner),
    r("Acunetix", Scanner),
    r("Netsparker", Scanner),
    r("Invicti", Scanner),
    r("Nessus", Scanner),
    r("OpenVAS", Scanner),
    r("Greenbone", Scanner),
    r("Qualys", Scanner),
    r("QualysGuard", Scanner),
    r("Burp", Scanner),
    r("BurpSuite", Scanner),
    r("Burp Collaborator", Scanner),
    r("OWASP ZAP", Scanner),
    r("ZAP/", Scanner),
    r("Arachni", Scanner),
    r("w3af", Scanner),
    r("w3af.org", Scanner),
    r("WhatWeb", Scanner),
    r("wafw00f", Scanner),
    r("skipfish", Scanner),
    r("Paros", Scanner),
    r("WebInspect", Scanner),
    r("AppScan", Scanner),
    r("commix", Scanner),
    r("jaeles", Scanner),
    r("XSStrike", Scanner),
    r("Hydra", Scanner),
    r("Metasploit", Scanner),
    r("Havij", Scanner),
    r("sqlninja", Scanner),
    r("bsqlbf", Scanner),
    r("Fimap", Scanner),
    r("BlackWidow", Scanner),
    r("ZmEu", Scanner),
    r("Morfeus Fucking Scanner", Scanner),
    r("Jorgee", Scanner),
    r("struts-pwn", Scanner),
    r("Detectify", Scanner),
    r("l9explore", Scanner),
    r("l9tcpid", Scanner),
    r("LeakIX", Scanner),
    r("Censys", Scanner),
    r("CensysInspect", Scanner),
    r("Shodan", Scanner),
    r("Palo Alto Networks", Scanner),
    r("palo alto", Scanner),
    r("Cortex", Scanner),
    r("Xpanse", Scanner),
    r("getodin", Scanner),
    r("libredtail", Scanner),
    r("Expanse", Scanner),
    r("InternetMeasurement", Scanner),
    r("ModatScanner", Scanner),
    r("Netcraft Web Server Survey", Scanner),
    r("NetcraftSurveyAgent", Scanner),
    r("BinaryEdge", Scanner),
    r("Onyphe", Scanner),
    r("CyberOK", Scanner),
    r("httprobe", Scanner),
    r("hakrawler", Scanner),
    r("Keydrop", Scanner),
    // --- Exploit payloads in the user agent --------------------------------------------------
    r("${jndi:", Exploit),
    r("${${", Exploit),
    r("() {", Exploit),
    r("<script", Exploit),
    r("union select", Exploit),
    r("' or '1'='1", Exploit),
    r("/etc/passwd", Exploit),
    r("xp_cmdshell", Exploit),
    // --- Generic self-identification --------------------------------------------------------
    suffix("bot/", GenericBot),
    suffix("bot;", GenericBot),
    suffix("bot)", GenericBot),
    suffix("bot-", GenericBot),
    suffix("crawler", GenericBot),
    suffix("spider", GenericBot),
    r("+http", GenericBot),
    r("+https", GenericBot),
    r("http://", GenericBot),
    r("https://", GenericBot),
    // --- Engines that are old on purpose (outdated-browser rule does not apply) -------------
    r("SamsungBrowser", EngineFork),
    r("UCBrowser", EngineFork),
    r("UCWEB", EngineFork),
    r("YaBrowser", EngineFork),
    r("Silk", EngineFork),
    r("CrKey", EngineFork),
    r("SMART-TV", EngineFork),
    r("SmartTV", EngineFork),
    r("Tizen", EngineFork),
    r("Web0S", EngineFork),
    r("webOS", EngineFork),
    r("QtWebEngine", EngineFork),
    r("Electron", EngineFork),
    r("PlayStation", EngineFork),
    r("Nintendo", EngineFork),
    r("Xbox", EngineFork),
    r("KAIOS", EngineFork),
    r("Puffin", EngineFork),
    r("Kindle", EngineFork),
    r("Tesla", EngineFork),
    r("HbbTV", EngineFork),
    r("MiuiBrowser", EngineFork),
    r("HuaweiBrowser", EngineFork),
    r("HeyTapBrowser", EngineFork),
    r("VivoBrowser", EngineFork),
    // --- Version tokens (parsed after the match) ---------------------------------------------
    r("Chrome/", AgentKind::ChromeVersion),
    r("Firefox/", FirefoxVersion),
];

/// True when `b` counts as part of a word for boundary checks.
#[inline]
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// The former matcher, kept as the reference the word index is checked against: an
/// overlapping Aho–Corasick DFA over the lowercased patterns, each match then checked for
/// word boundaries.
#[cfg(test)]
pub(crate) mod reference {
    use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

    use super::is_word_byte;

    /// Builds an overlapping-capable DFA over the ASCII-lowercased `patterns`.
    #[allow(clippy::expect_used)]
    pub(crate) fn build_automaton<'a>(patterns: impl IntoIterator<Item = &'a str>) -> AhoCorasick {
        AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(patterns.into_iter().map(str::to_ascii_lowercase))
            .expect("the built-in pattern set compiles")
    }

    /// True when the match `[start, end)` in `hay` sits on word boundaries: an alphanumeric
    /// first (last) pattern byte must not be preceded (followed) by a word byte.
    pub(crate) fn on_word_boundaries(
        hay: &[u8],
        start: usize,
        end: usize,
        check_left: bool,
    ) -> bool {
        let first_is_word = hay.get(start).copied().is_some_and(is_word_byte);
        let last_is_word = end
            .checked_sub(1)
            .and_then(|i| hay.get(i))
            .copied()
            .is_some_and(is_word_byte);
        let left_ok = !check_left
            || !first_is_word
            || start == 0
            || !hay.get(start - 1).copied().is_some_and(is_word_byte);
        let right_ok = !last_is_word || !hay.get(end).copied().is_some_and(is_word_byte);
        left_ok && right_ok
    }
}

#[cfg(test)]
mod tests {
    use super::reference::on_word_boundaries;
    use super::*;

    #[test]
    fn every_pattern_is_nonempty_ascii() {
        for rule in AGENT_RULES {
            assert!(!rule.pattern.is_empty());
            assert!(rule.pattern.is_ascii(), "{}", rule.pattern);
        }
    }

    #[test]
    fn boundaries_reject_a_token_inside_a_word() {
        let hay = b"Zapier";
        assert!(!on_word_boundaries(hay, 0, 3, true));
        let hay = b"OWASP ZAP";
        assert!(on_word_boundaries(hay, 6, 9, true));
    }

    #[test]
    fn punctuation_edges_need_no_boundary() {
        // `java/` ends in '/', so only its left edge is checked.
        let hay = b"Java/17.0.2";
        assert!(on_word_boundaries(hay, 0, 5, true));
        let hay = b"xJava/17";
        assert!(!on_word_boundaries(hay, 1, 6, true));
    }
}
