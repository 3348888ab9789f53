//! Chat and social platforms: Slack, Discord, Telegram, Microsoft Teams, Mattermost, Twitch,
//! Twitter/X, Facebook, LinkedIn, Intercom, Zendesk.

use super::{contextual, prefixed, RuleSpec};

pub(super) const RULES: &[RuleSpec] = &[
    prefixed!(
        "slack-bot-token",
        "Slack bot token (xoxb-)",
        ["xox"],
        r"\bxoxb-[0-9]{10,13}-[0-9]{10,13}(?:-[A-Za-z0-9]{24,34})\b"
    ),
    prefixed!(
        "slack-user-token",
        "Slack user token (xoxp-)",
        ["xox"],
        r"\bxoxp-(?:[0-9]{10,13}-){3}[A-Za-z0-9]{28,34}\b"
    ),
    prefixed!("slack-config-token", "Slack app configuration access token",
        ["xox"], r"\bxoxe\.xox[bp]-\d-[A-Za-z0-9]{150,170}\b", after: 200),
    prefixed!("slack-config-refresh-token", "Slack app configuration refresh token",
        ["xox"], r"\bxoxe-\d-[A-Za-z0-9]{140,150}\b", after: 200),
    prefixed!(
        "slack-app-token",
        "Slack app-level token (xapp-)",
        ["xapp-"],
        r"\bxapp-\d-[A-Z0-9]{9,12}-\d{10,14}-[a-z0-9]{60,70}\b"
    ),
    prefixed!(
        "slack-legacy-token",
        "Slack legacy/workspace token (xoxa-, xoxr-, xoxs-, xoxo-)",
        ["xox"],
        r"\bxox[aors]-(?:\d+-){1,4}[A-Za-z0-9]{24,64}\b"
    ),
    RuleSpec {
        id: "slack-webhook-url",
        description: "Slack incoming webhook / workflow trigger URL",
        keywords: &["://"],
        context: &["hooks.slack.com"],
        pattern: r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_]{30,120}",
        ..RuleSpec::DEFAULT
    },
    contextual!(
        "discord-bot-token",
        "Discord bot token",
        ["discord"],
        r"[MNO][A-Za-z\d_\-]{23,25}\.[A-Za-z\d_\-]{6}\.[A-Za-z\d_\-]{27,38}"
    ),
    RuleSpec {
        id: "discord-webhook-url",
        description: "Discord webhook URL",
        keywords: &["://"],
        context: &["discord"],
        pattern: r"https?://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_\-]{60,70}",
        ..RuleSpec::DEFAULT
    },
    contextual!(
        "discord-client-secret",
        "Discord OAuth client secret",
        ["discord"],
        r"[A-Za-z0-9_\-]{32}"
    ),
    RuleSpec {
        id: "telegram-bot-token",
        description: "Telegram Bot API token",
        keywords: &[":AA"],
        pattern: r"(?:^|[^0-9])(\d{8,10}:AA[0-9A-Za-z_\-]{33})(?:[^0-9A-Za-z_\-]|$)",
        group: 1,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "teams-webhook-url",
        description: "Microsoft Teams / Office 365 incoming webhook URL",
        keywords: &["://"],
        context: &["webhook.office.com", "outlook.office.com"],
        pattern: r"https?://[a-z0-9\-]+\.webhook\.office\.com/webhookb2/[a-f0-9\-]{36}@[a-f0-9\-]{36}/IncomingWebhook/[A-Za-z0-9]{32}/[a-f0-9\-]{36}(?:/[A-Za-z0-9_\-]{20,80})?",
        after: 400,
        ..RuleSpec::DEFAULT
    },
    contextual!(
        "mattermost-token",
        "Mattermost access token",
        ["mattermost"],
        r"[a-z0-9]{26}"
    ),
    contextual!(
        "twitch-token",
        "Twitch API token / client secret",
        ["twitch"],
        r"[a-z0-9]{30}"
    ),
    prefixed!(
        "twitter-bearer-token",
        "Twitter/X app bearer token",
        ["AAAAAAAAAAAAAAAAAAAAA"],
        r"\bAAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{30,150}"
    ),
    contextual!(
        "twitter-api-secret",
        "Twitter/X API key secret or access token secret",
        ["twitter"],
        r"[a-zA-Z0-9]{45,50}"
    ),
    prefixed!("facebook-access-token", "Facebook / Meta Graph access token",
        ["EAA"], r"\bEAA[A-Za-z0-9]{100,}", after: 420),
    contextual!(
        "facebook-app-secret",
        "Facebook / Meta app secret",
        ["facebook", "fb_app", "meta_app"],
        r"[a-f0-9]{32}"
    ),
    contextual!(
        "linkedin-client-secret",
        "LinkedIn client secret",
        ["linkedin"],
        r"[a-zA-Z0-9]{16}"
    ),
    contextual!(
        "intercom-access-token",
        "Intercom access token",
        ["intercom"],
        r"[a-zA-Z0-9=_\-]{59,60}"
    ),
    contextual!(
        "zendesk-api-token",
        "Zendesk API token",
        ["zendesk"],
        r"[A-Za-z0-9]{40}"
    ),
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    let ctx = |var: &str, secret: &str| format!("{{\"{var}\": \"{secret}\"}}");
    let digits = "0123456789";
    vec![
        s(
            "slack-bot-token",
            vec![format!(
                "xoxb-{}-{}-{}",
                fill(digits, 12, 1),
                fill(digits, 13, 2),
                fill(ALNUM, 24, 3)
            )],
            vec!["xoxb-123-456-abc".into()],
        ),
        s(
            "slack-user-token",
            vec![format!(
                "xoxp-{}-{}-{}-{}",
                fill(digits, 12, 4),
                fill(digits, 12, 5),
                fill(digits, 12, 6),
                fill(HEX, 32, 7)
            )],
            vec!["xoxp-1-2-3-abc".into()],
        ),
        s(
            "slack-config-token",
            vec![
                format!("xoxe.xoxp-1-{}", fill(UPNUM, 163, 8)),
                format!("xoxe.xoxp-1-{}", fill(ALNUM, 163, 8)),
            ],
            vec!["xoxe.xoxp-1-ABC".into()],
        ),
        s(
            "slack-config-refresh-token",
            vec![
                format!("xoxe-1-{}", fill(UPNUM, 146, 9)),
                format!("xoxe-1-{}", fill(ALNUM, 146, 9)),
            ],
            vec!["xoxe-1-ABC".into()],
        ),
        s(
            "slack-app-token",
            vec![format!(
                "xapp-1-{}-{}-{}",
                fill(UPNUM, 11, 10),
                fill(digits, 13, 11),
                fill(LOWNUM, 64, 12)
            )],
            vec!["xapp-1-ABC-123-abc".into()],
        ),
        s(
            "slack-legacy-token",
            vec![format!(
                "xoxs-{}-{}-{}",
                fill(digits, 10, 13),
                fill(digits, 10, 14),
                fill(ALNUM, 32, 15)
            )],
            vec!["xoxs-1-abc".into()],
        ),
        s(
            "slack-webhook-url",
            vec![format!(
                "https://hooks.slack.com/services/T{}/B{}/{}",
                fill(UPNUM, 8, 16),
                fill(UPNUM, 10, 17),
                fill(ALNUM, 24, 18)
            )],
            vec![
                "https://hooks.slack.com/".into(),
                "https://api.slack.com/services/x".into(),
            ],
        ),
        s(
            "discord-bot-token",
            vec![ctx(
                "DISCORD_BOT_TOKEN",
                &format!(
                    "M{}.{}.{}",
                    fill(B64URL, 25, 19),
                    fill(B64URL, 6, 20),
                    fill(B64URL, 38, 21)
                ),
            )],
            vec![ctx("DISCORD_BOT_TOKEN", "abc.def.ghi")],
        ),
        s(
            "discord-webhook-url",
            vec![format!(
                "https://discord.com/api/webhooks/{}/{}",
                fill(digits, 18, 22),
                fill(B64URL, 68, 23)
            )],
            vec!["https://discord.com/api/webhooks/123/abc".into()],
        ),
        s(
            "discord-client-secret",
            vec![ctx("DISCORD_CLIENT_SECRET", &fill(B64URL, 32, 24))],
            vec![ctx("DISCORD_CLIENT_SECRET", &fill(B64URL, 10, 24))],
        ),
        s(
            "telegram-bot-token",
            vec![format!(
                "bot{}:AA{}",
                fill(digits, 10, 25),
                fill(B64URL, 33, 26)
            )],
            vec![format!(
                "{}:AA{}",
                fill(digits, 10, 25),
                fill(B64URL, 10, 26)
            )],
        ),
        s(
            "teams-webhook-url",
            vec![format!(
                "https://contoso.webhook.office.com/webhookb2/{}@{}/IncomingWebhook/{}/{}",
                uuid(27),
                uuid(28),
                fill(ALNUM, 32, 29),
                uuid(30)
            )],
            vec!["https://contoso.webhook.office.com/webhookb2/".into()],
        ),
        s(
            "mattermost-token",
            vec![ctx("MATTERMOST_TOKEN", &fill(LOWNUM, 26, 31))],
            vec![ctx("MATTERMOST_TOKEN", &fill(LOWNUM, 10, 31))],
        ),
        s(
            "twitch-token",
            vec![ctx("TWITCH_CLIENT_SECRET", &fill(LOWNUM, 30, 32))],
            vec![ctx("TWITCH_CLIENT_SECRET", &fill(LOWNUM, 10, 32))],
        ),
        s(
            "twitter-bearer-token",
            vec![format!("AAAAAAAAAAAAAAAAAAAAA{}", fill(ALNUM, 80, 33))],
            vec!["AAAAAAAAAAAAAAAAAAAAAshort".into()],
        ),
        s(
            "twitter-api-secret",
            vec![ctx("TWITTER_API_SECRET", &fill(ALNUM, 50, 34))],
            vec![ctx("TWITTER_API_SECRET", &fill(ALNUM, 20, 34))],
        ),
        s(
            "facebook-access-token",
            vec![format!("EAA{}", fill(ALNUM, 180, 35))],
            vec![format!("EAA{}", fill(ALNUM, 30, 35))],
        ),
        s(
            "facebook-app-secret",
            vec![ctx("FACEBOOK_APP_SECRET", &fill(HEX, 32, 36))],
            vec![ctx("FACEBOOK_APP_SECRET", &fill(HEX, 10, 36))],
        ),
        s(
            "linkedin-client-secret",
            vec![ctx("LINKEDIN_CLIENT_SECRET", &fill(ALNUM, 16, 37))],
            vec![ctx("LINKEDIN_CLIENT_SECRET", &fill(ALNUM, 8, 37))],
        ),
        s(
            "intercom-access-token",
            vec![ctx("INTERCOM_ACCESS_TOKEN", &fill(B64URL, 60, 38))],
            vec![ctx("INTERCOM_ACCESS_TOKEN", &fill(B64URL, 20, 38))],
        ),
        s(
            "zendesk-api-token",
            vec![ctx("ZENDESK_API_TOKEN", &fill(ALNUM, 40, 39))],
            vec![ctx("ZENDESK_API_TOKEN", &fill(ALNUM, 10, 39))],
        ),
    ]
}
