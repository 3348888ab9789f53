//! Messaging and business SaaS: Twilio, SendGrid, Mailgun, Mailchimp, Mandrill, Postmark,
//! Mailjet, Brevo, Resend, MessageBird, Vonage, Plivo, HubSpot, Salesforce, Asana, Airtable,
//! ClickUp, Trello, Dropbox, Typeform, Mapbox, Shippo, EasyPost, Frame.io, Prefect,
//! Freshdesk, Mixpanel, Amplitude, Segment, Cloudinary.

use super::{contextual, prefixed, RuleSpec};

pub(super) const RULES: &[RuleSpec] = &[
    contextual!(
        "twilio-api-key",
        "Twilio API key SID secret pair (SK…)",
        ["twilio"],
        r"SK[0-9a-fA-F]{32}"
    ),
    contextual!(
        "twilio-auth-token",
        "Twilio account auth token",
        ["twilio"],
        r"[0-9a-f]{32}"
    ),
    prefixed!(
        "sendgrid-api-key",
        "SendGrid API key",
        ["SG."],
        r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b"
    ),
    prefixed!("mailgun-api-key", "Mailgun private API key",
        ["key"], r"\bkey-[0-9a-f]{32}\b", exact_keywords: false),
    contextual!(
        "mailgun-signing-key",
        "Mailgun webhook signing key",
        ["mailgun"],
        r"[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8}"
    ),
    RuleSpec {
        id: "mailchimp-api-key",
        description: "Mailchimp API key (…-usN)",
        keywords: &["-us"],
        pattern: r"\b[0-9a-f]{32}-us\d{1,2}\b",
        prefixed: false,
        ..RuleSpec::DEFAULT
    },
    contextual!(
        "mandrill-api-key",
        "Mandrill (Mailchimp Transactional) API key",
        ["mandrill"],
        r"[A-Za-z0-9_\-]{22}"
    ),
    contextual!(
        "postmark-server-token",
        "Postmark server / account token",
        ["postmark"],
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    ),
    contextual!(
        "mailjet-api-secret",
        "Mailjet API secret",
        ["mailjet"],
        r"[a-f0-9]{32}"
    ),
    prefixed!("brevo-api-key", "Brevo (Sendinblue) API key",
        ["key"], r"\bxkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}\b", exact_keywords: false),
    contextual!(
        "resend-api-key",
        "Resend API key",
        ["resend"],
        r"re_[A-Za-z0-9_]{16,40}"
    ),
    contextual!(
        "messagebird-api-key",
        "MessageBird API key",
        ["messagebird", "message_bird"],
        r"[A-Za-z0-9]{25}"
    ),
    contextual!(
        "vonage-api-secret",
        "Vonage / Nexmo API secret",
        ["nexmo", "vonage"],
        r"[A-Za-z0-9]{16}"
    ),
    contextual!(
        "plivo-auth-token",
        "Plivo auth token",
        ["plivo"],
        r"[A-Za-z0-9]{40}"
    ),
    prefixed!(
        "hubspot-private-app-token",
        "HubSpot private app access token",
        ["pat-"],
        r"\bpat-(?:na|eu)\d-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\b"
    ),
    prefixed!("salesforce-access-token", "Salesforce session / access token",
        ["00D"], r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9_.]{90,110}", after: 140),
    contextual!(
        "asana-pat",
        "Asana personal access token",
        ["asana"],
        r"\d/\d{13,19}(?:/\d{13,19})?(?::[A-Za-z0-9]{32})?"
    ),
    contextual!(
        "airtable-pat",
        "Airtable personal access token",
        ["airtable"],
        r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}"
    ),
    prefixed!(
        "clickup-api-token",
        "ClickUp personal API token",
        ["pk_"],
        r"\bpk_\d{6,10}_[A-Z0-9]{32}\b"
    ),
    contextual!(
        "trello-api-token",
        "Trello API token",
        ["trello"],
        r"(?:ATTA[A-Za-z0-9]{60,80}|[a-f0-9]{64})"
    ),
    contextual!(
        "dropbox-access-token",
        "Dropbox short-lived access token",
        ["dropbox"],
        r"sl\.[A-Za-z0-9_\-=]{130,160}"
    ),
    prefixed!(
        "typeform-pat",
        "Typeform personal access token",
        ["tfp_"],
        r"\btfp_[A-Za-z0-9_\-.=]{59}"
    ),
    prefixed!("mapbox-secret-token", "Mapbox secret access token",
        ["sk.eyJ"], r"\bsk\.eyJ[A-Za-z0-9_\-]{50,}\.[A-Za-z0-9_\-]{20,80}", after: 500),
    prefixed!(
        "shippo-api-token",
        "Shippo API token",
        ["shippo_"],
        r"\bshippo_(?:live|test)_[a-f0-9]{40}\b"
    ),
    prefixed!(
        "easypost-api-key",
        "EasyPost API key",
        ["EZAK", "EZTK"],
        r"\bEZ[AT]K[A-Za-z0-9]{54}\b"
    ),
    prefixed!(
        "frameio-api-token",
        "Frame.io API token",
        ["fio-u-"],
        r"\bfio-u-[A-Za-z0-9_=\-]{64}"
    ),
    prefixed!(
        "prefect-api-key",
        "Prefect Cloud API key",
        ["pnu_"],
        r"\bpnu_[A-Za-z0-9]{36}\b"
    ),
    contextual!(
        "freshdesk-api-key",
        "Freshdesk API key",
        ["freshdesk"],
        r"[A-Za-z0-9]{20}"
    ),
    contextual!(
        "mixpanel-api-secret",
        "Mixpanel API secret",
        ["mixpanel"],
        r"[a-f0-9]{32}"
    ),
    contextual!(
        "amplitude-api-key",
        "Amplitude API / secret key",
        ["amplitude"],
        r"[a-f0-9]{32}"
    ),
    contextual!(
        "segment-write-key",
        "Segment write key / public API token",
        ["segment"],
        r"[A-Za-z0-9]{32}"
    ),
    RuleSpec {
        id: "cloudinary-url",
        description: "Cloudinary URL with API secret",
        keywords: &["://"],
        context: &["cloudinary"],
        pattern: r"cloudinary://\d{6,20}:([A-Za-z0-9_\-]{20,40})@[a-z0-9_\-]+",
        group: 1,
        ..RuleSpec::DEFAULT
    },
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    let ctx = |var: &str, secret: &str| format!("const {var} = '{secret}';");
    vec![
        s(
            "twilio-api-key",
            vec![ctx(
                "twilioApiKeySecret",
                &format!("SK{}", fill(HEX, 32, 1)),
            )],
            vec![ctx("twilioApiKeySecret", "SKshort")],
        ),
        s(
            "twilio-auth-token",
            vec![ctx("TWILIO_AUTH_TOKEN", &fill(HEX, 32, 2))],
            vec![ctx("TWILIO_AUTH_TOKEN", &fill(HEX, 10, 2))],
        ),
        s(
            "sendgrid-api-key",
            vec![format!(
                "SG.{}.{}",
                fill(B64URL, 22, 3),
                fill(B64URL, 43, 4)
            )],
            vec!["SG.short.short".into()],
        ),
        s(
            "mailgun-api-key",
            vec![format!("key-{}", fill(HEX, 32, 5))],
            vec!["key-short".into()],
        ),
        s(
            "mailgun-signing-key",
            vec![ctx(
                "MAILGUN_SIGNING_KEY",
                &format!(
                    "{}-{}-{}",
                    fill(HEX, 32, 6),
                    fill(HEX, 8, 7),
                    fill(HEX, 8, 8)
                ),
            )],
            vec![ctx("MAILGUN_SIGNING_KEY", "abc-def")],
        ),
        s(
            "mailchimp-api-key",
            vec![format!("{}-us21", fill(HEX, 32, 9))],
            vec!["en-us1".into(), format!("{}-us21", fill(HEX, 10, 9))],
        ),
        s(
            "mandrill-api-key",
            vec![ctx("MANDRILL_API_KEY", &fill(B64URL, 22, 10))],
            vec![ctx("MANDRILL_API_KEY", &fill(B64URL, 10, 10))],
        ),
        s(
            "postmark-server-token",
            vec![ctx("POSTMARK_SERVER_TOKEN", &uuid(11))],
            vec![ctx("POSTMARK_SERVER_TOKEN", "abc")],
        ),
        s(
            "mailjet-api-secret",
            vec![ctx("MAILJET_API_SECRET", &fill(HEX, 32, 12))],
            vec![ctx("MAILJET_API_SECRET", &fill(HEX, 10, 12))],
        ),
        s(
            "brevo-api-key",
            vec![format!(
                "xkeysib-{}-{}",
                fill(HEX, 64, 13),
                fill(ALNUM, 16, 14)
            )],
            vec!["xkeysib-short".into()],
        ),
        s(
            "resend-api-key",
            vec![ctx(
                "RESEND_API_KEY",
                &format!("re_{}", fill(ALNUM, 30, 15)),
            )],
            vec![ctx("RESEND_API_KEY", "re_short")],
        ),
        s(
            "messagebird-api-key",
            vec![ctx("MESSAGEBIRD_API_KEY", &fill(ALNUM, 25, 16))],
            vec![ctx("MESSAGEBIRD_API_KEY", &fill(ALNUM, 10, 16))],
        ),
        s(
            "vonage-api-secret",
            vec![ctx("VONAGE_API_SECRET", &fill(ALNUM, 16, 17))],
            vec![ctx("VONAGE_API_SECRET", &fill(ALNUM, 8, 17))],
        ),
        s(
            "plivo-auth-token",
            vec![ctx("PLIVO_AUTH_TOKEN", &fill(ALNUM, 40, 18))],
            vec![ctx("PLIVO_AUTH_TOKEN", &fill(ALNUM, 10, 18))],
        ),
        s(
            "hubspot-private-app-token",
            vec![format!("pat-na1-{}", uuid(19))],
            vec!["pat-na1-short".into()],
        ),
        s(
            "salesforce-access-token",
            vec![format!(
                "00D{}!{}",
                fill(ALNUM, 15, 20),
                fill(ALNUM, 96, 21)
            )],
            vec!["00Dabc!def".into()],
        ),
        s(
            "asana-pat",
            vec![ctx(
                "ASANA_TOKEN",
                &format!("1/{}:{}", fill("0123456789", 16, 22), fill(ALNUM, 32, 23)),
            )],
            vec![ctx("ASANA_TOKEN", "1/2")],
        ),
        s(
            "airtable-pat",
            vec![ctx(
                "AIRTABLE_API_KEY",
                &format!("pat{}.{}", fill(ALNUM, 14, 24), fill(HEX, 64, 25)),
            )],
            vec![ctx("AIRTABLE_API_KEY", "patshort")],
        ),
        s(
            "clickup-api-token",
            vec![format!(
                "pk_{}_{}",
                fill("0123456789", 8, 26),
                fill(UPNUM, 32, 27)
            )],
            vec!["pk_123_ABC".into()],
        ),
        s(
            "trello-api-token",
            vec![ctx("TRELLO_TOKEN", &fill(HEX, 64, 28))],
            vec![ctx("TRELLO_TOKEN", &fill(HEX, 10, 28))],
        ),
        s(
            "dropbox-access-token",
            vec![ctx(
                "DROPBOX_ACCESS_TOKEN",
                &format!("sl.{}", fill(B64URL, 140, 29)),
            )],
            vec![ctx("DROPBOX_ACCESS_TOKEN", "sl.short")],
        ),
        s(
            "typeform-pat",
            vec![format!("tfp_{}", fill(B64URL, 59, 30))],
            vec!["tfp_short".into()],
        ),
        s(
            "mapbox-secret-token",
            vec![format!(
                "sk.eyJ{}.{}",
                fill(B64URL, 60, 31),
                fill(B64URL, 22, 32)
            )],
            vec!["sk.eyJshort.short".into()],
        ),
        s(
            "shippo-api-token",
            vec![format!("shippo_live_{}", fill(HEX, 40, 33))],
            vec!["shippo_live_short".into()],
        ),
        s(
            "easypost-api-key",
            vec![format!("EZAK{}", fill(ALNUM, 54, 34))],
            vec!["EZAKshort".into()],
        ),
        s(
            "frameio-api-token",
            vec![format!("fio-u-{}", fill(B64URL, 64, 35))],
            vec!["fio-u-short".into()],
        ),
        s(
            "prefect-api-key",
            vec![format!("pnu_{}", fill(ALNUM, 36, 36))],
            vec!["pnu_short".into()],
        ),
        s(
            "freshdesk-api-key",
            vec![ctx("FRESHDESK_API_KEY", &fill(ALNUM, 20, 37))],
            vec![ctx("FRESHDESK_API_KEY", &fill(ALNUM, 8, 37))],
        ),
        s(
            "mixpanel-api-secret",
            vec![ctx("MIXPANEL_API_SECRET", &fill(HEX, 32, 38))],
            vec![ctx("MIXPANEL_API_SECRET", &fill(HEX, 10, 38))],
        ),
        s(
            "amplitude-api-key",
            vec![ctx("AMPLITUDE_API_KEY", &fill(HEX, 32, 39))],
            vec![ctx("AMPLITUDE_API_KEY", &fill(HEX, 10, 39))],
        ),
        s(
            "segment-write-key",
            vec![ctx("SEGMENT_WRITE_KEY", &fill(ALNUM, 32, 40))],
            vec![ctx("SEGMENT_WRITE_KEY", &fill(ALNUM, 10, 40))],
        ),
        s(
            "cloudinary-url",
            vec![format!(
                "CLOUDINARY_URL=cloudinary://{}:{}@demo",
                fill("0123456789", 15, 41),
                fill(B64URL, 27, 42)
            )],
            vec!["cloudinary://123:@demo".into()],
        ),
    ]
}
