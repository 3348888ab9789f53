//! Payments and commerce: Stripe, Square, PayPal/Braintree, Adyen, Shopify, Razorpay,
//! Flutterwave, Plaid, GoCardless, Mollie.

use super::{contextual, prefixed, RuleSpec};

pub(super) const RULES: &[RuleSpec] = &[
    prefixed!("stripe-live-secret-key", "Stripe live secret key",
        ["k_live_"], r"\bsk_live_[0-9a-zA-Z]{24,247}\b", after: 260),
    prefixed!("stripe-test-secret-key", "Stripe test secret key",
        ["k_test_"], r"\bsk_test_[0-9a-zA-Z]{24,247}\b", after: 260),
    prefixed!("stripe-restricted-key", "Stripe restricted API key (live or test)",
        ["k_live_", "k_test_"], r"\brk_(?:live|test)_[0-9a-zA-Z]{24,247}\b", after: 260),
    prefixed!(
        "stripe-webhook-secret",
        "Stripe webhook signing secret",
        ["whsec_"],
        r"\bwhsec_[A-Za-z0-9]{32,64}\b"
    ),
    prefixed!(
        "square-access-token",
        "Square access token",
        ["EAAA"],
        r"\bEAAA[A-Za-z0-9_\-]{60}\b"
    ),
    prefixed!(
        "square-oauth-secret",
        "Square OAuth application secret",
        ["sq0"],
        r"\bsq0csp-[0-9A-Za-z_\-]{43}\b"
    ),
    prefixed!(
        "square-legacy-access-token",
        "Square legacy access token (sq0atp-)",
        ["sq0"],
        r"\bsq0atp-[0-9A-Za-z_\-]{22}\b"
    ),
    RuleSpec {
        id: "braintree-access-token",
        description: "PayPal Braintree access token",
        keywords: &["$production$", "$sandbox$"],
        before: 32,
        pattern: r"access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}",
        ..RuleSpec::DEFAULT
    },
    contextual!(
        "paypal-client-secret",
        "PayPal REST API client secret",
        ["paypal"],
        r"E[A-Za-z0-9_\-]{79}"
    ),
    contextual!(
        "adyen-api-key",
        "Adyen API key",
        ["adyen"],
        r"AQE[A-Za-z0-9+/=_\-.]{60,250}"
    ),
    prefixed!(
        "shopify-access-token",
        "Shopify Admin API access token",
        ["shp"],
        r"\bshpat_[a-fA-F0-9]{32}\b"
    ),
    prefixed!(
        "shopify-custom-app-token",
        "Shopify custom app access token",
        ["shp"],
        r"\bshpca_[a-fA-F0-9]{32}\b"
    ),
    prefixed!(
        "shopify-private-app-token",
        "Shopify private app access token",
        ["shp"],
        r"\bshppa_[a-fA-F0-9]{32}\b"
    ),
    prefixed!(
        "shopify-shared-secret",
        "Shopify app shared secret",
        ["shp"],
        r"\bshpss_[a-fA-F0-9]{32}\b"
    ),
    prefixed!(
        "razorpay-key",
        "Razorpay API key id/secret pair prefix",
        ["rzp_"],
        r"\brzp_(?:live|test)_[A-Za-z0-9]{14}\b"
    ),
    prefixed!(
        "flutterwave-secret-key",
        "Flutterwave secret key",
        ["FLWSECK"],
        r"\bFLWSECK(?:_TEST)?-[a-h0-9]{32}-X\b"
    ),
    prefixed!(
        "plaid-access-token",
        "Plaid access token",
        [
            "access-sandbox-",
            "access-development-",
            "access-production-"
        ],
        r"\baccess-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
    ),
    contextual!(
        "plaid-secret",
        "Plaid API secret",
        ["plaid"],
        r"[a-f0-9]{30}"
    ),
    contextual!(
        "gocardless-access-token",
        "GoCardless access token",
        ["gocardless"],
        r"live_[A-Za-z0-9\-_=]{40}"
    ),
    contextual!(
        "mollie-api-key",
        "Mollie API key",
        ["mollie"],
        r"(?:live|test)_[A-Za-z0-9]{30}"
    ),
    contextual!(
        "coinbase-api-secret",
        "Coinbase API secret",
        ["coinbase"],
        r"[A-Za-z0-9+/=]{64,88}"
    ),
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    let ctx = |var: &str, secret: &str| format!("{var} = \"{secret}\"");
    vec![
        s(
            "stripe-live-secret-key",
            vec![format!("Stripe.api_key = 'sk_live_{}'", fill(ALNUM, 24, 1))],
            vec![
                "sk_live_short".into(),
                format!("pk_live_{}", fill(ALNUM, 24, 1)),
            ],
        ),
        s(
            "stripe-test-secret-key",
            vec![format!("sk_test_{}", fill(ALNUM, 99, 2))],
            vec!["sk_test_short".into()],
        ),
        s(
            "stripe-restricted-key",
            vec![format!("rk_live_{}", fill(ALNUM, 24, 3))],
            vec!["rk_live_short".into()],
        ),
        s(
            "stripe-webhook-secret",
            vec![format!("whsec_{}", fill(ALNUM, 32, 4))],
            vec!["whsec_short".into()],
        ),
        s(
            "square-access-token",
            vec![format!("EAAA{}", fill(B64URL, 60, 5))],
            vec!["EAAAshort".into()],
        ),
        s(
            "square-oauth-secret",
            vec![format!("sq0csp-{}", fill(B64URL, 43, 6))],
            vec!["sq0csp-short".into()],
        ),
        s(
            "square-legacy-access-token",
            vec![format!("sq0atp-{}", fill(B64URL, 22, 7))],
            vec!["sq0atp-short".into()],
        ),
        s(
            "braintree-access-token",
            vec![format!(
                "access_token$production${}${}",
                fill(LOWNUM, 16, 8),
                fill(HEX, 32, 9)
            )],
            vec!["access_token$production$abc$def".into()],
        ),
        s(
            "paypal-client-secret",
            vec![ctx(
                "PAYPAL_CLIENT_SECRET",
                &format!("E{}", fill(B64URL, 79, 10)),
            )],
            vec![ctx("PAYPAL_CLIENT_SECRET", &fill(B64URL, 20, 10))],
        ),
        s(
            "adyen-api-key",
            vec![ctx("ADYEN_API_KEY", &format!("AQE{}", fill(B64, 100, 11)))],
            vec![ctx("ADYEN_API_KEY", "AQEshort")],
        ),
        s(
            "shopify-access-token",
            vec![format!("shpat_{}", fill(HEX, 32, 12))],
            vec!["shpat_short".into()],
        ),
        s(
            "shopify-custom-app-token",
            vec![format!("shpca_{}", fill(HEX, 32, 13))],
            vec!["shpca_short".into()],
        ),
        s(
            "shopify-private-app-token",
            vec![format!("shppa_{}", fill(HEX, 32, 14))],
            vec!["shppa_short".into()],
        ),
        s(
            "shopify-shared-secret",
            vec![format!("shpss_{}", fill(HEX, 32, 15))],
            vec!["shpss_short".into()],
        ),
        s(
            "razorpay-key",
            vec![format!("rzp_live_{}", fill(ALNUM, 14, 16))],
            vec!["rzp_live_short".into()],
        ),
        s(
            "flutterwave-secret-key",
            vec![format!(
                "FLWSECK_TEST-{}-X",
                fill("abcdefgh0123456789", 32, 17)
            )],
            vec!["FLWSECK-short-X".into()],
        ),
        s(
            "plaid-access-token",
            vec![format!("access-sandbox-{}", uuid(18))],
            vec!["access-sandbox-1234".into()],
        ),
        s(
            "plaid-secret",
            vec![ctx("PLAID_SECRET", &fill(HEX, 30, 19))],
            vec![ctx("PLAID_SECRET", &fill(HEX, 10, 19))],
        ),
        s(
            "gocardless-access-token",
            vec![ctx(
                "GOCARDLESS_ACCESS_TOKEN",
                &format!("live_{}", fill(B64URL, 40, 20)),
            )],
            vec![ctx("GOCARDLESS_ACCESS_TOKEN", "live_short")],
        ),
        s(
            "mollie-api-key",
            vec![ctx(
                "MOLLIE_API_KEY",
                &format!("live_{}", fill(ALNUM, 30, 21)),
            )],
            vec![ctx("MOLLIE_API_KEY", "live_short")],
        ),
        s(
            "coinbase-api-secret",
            vec![ctx("COINBASE_API_SECRET", &fill(B64, 64, 22))],
            vec![ctx("COINBASE_API_SECRET", &fill(B64, 20, 22))],
        ),
    ]
}
