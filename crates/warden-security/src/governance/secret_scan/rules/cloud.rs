//! Cloud providers: AWS, Google Cloud, Azure, DigitalOcean, Heroku, Alibaba, IBM, Oracle,
//! Tencent, Yandex, Cloudflare, Scaleway, Linode, Vultr, Hetzner, Fly.io, Vercel, Netlify,
//! Render, Railway.

use super::{contextual, prefixed, RuleSpec, Validator};

pub(super) const RULES: &[RuleSpec] = &[
    prefixed!("aws-access-key-id", "AWS access key ID (AKIA/ASIA/ABIA/ACCA/A3T…)",
        ["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
        r"\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b",
        group: 1, validators: &[Validator::NotPlaceholderText]),
    RuleSpec {
        id: "aws-secret-access-key",
        description: "AWS secret access key in an assignment",
        keywords: &["secret"],
        exact_keywords: false,
        pattern: r#"(?i:aws[\w.\-]{0,20}?secret[\w.\-]{0,20}?|secret_?access_?key)["']?[ \t]{0,4}(?:=|:|=>|:=)[ \t]{0,4}["'`]?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        group: 1,
        assignment: true,
        validators: &[Validator::MinEntropy(3.5), Validator::NotPlaceholderText],
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "aws-session-token",
        description: "AWS session token in an assignment",
        keywords: &["token"],
        exact_keywords: false,
        context: &["session", "security"],
        pattern: r#"(?i:(?:aws_?)?(?:session|security)[_\-]?token)["']?[ \t]{0,4}(?:=|:|=>|:=)[ \t]{0,4}["'`]?([A-Za-z0-9/+=]{100,})"#,
        group: 1,
        assignment: true,
        after: 1600,
        ..RuleSpec::DEFAULT
    },
    prefixed!("aws-sts-session-token", "AWS STS session token by its encoded prefix",
        ["IQoJb3JpZ2lu", "FwoGZXIvYXdz"],
        r"\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz)[A-Za-z0-9/+=]{100,}", after: 1600),
    prefixed!(
        "aws-mws-auth-token",
        "Amazon Marketplace Web Service auth token",
        ["amzn.mws."],
        r"amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    ),
    prefixed!("gcp-api-key", "Google Cloud / Firebase / Gemini API key",
        ["AIza"], r"(AIza[0-9A-Za-z_\-]{35})(?:[^0-9A-Za-z_\-]|$)", group: 1),
    RuleSpec {
        id: "gcp-service-account-private-key",
        description: "Private key inside a Google service-account JSON file",
        keywords: &["private_key"],
        pattern: r#""private_key"\s{0,4}:\s{0,4}"(-----BEGIN (?:RSA )?PRIVATE KEY-----[^"]{64,}?-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)""#,
        group: 1,
        after: 8192,
        ..RuleSpec::DEFAULT
    },
    prefixed!(
        "gcp-oauth-client-secret",
        "Google OAuth client secret",
        ["GOCSPX-"],
        r"GOCSPX-[A-Za-z0-9_\-]{28}"
    ),
    prefixed!("google-oauth-access-token", "Google OAuth access token",
        ["ya29."], r"\bya29\.[0-9A-Za-z_\-]{30,}", after: 2100),
    prefixed!("google-oauth-refresh-token", "Google OAuth refresh token",
        ["1//0"], r"\b1//0[0-9A-Za-z_\-]{40,}", after: 600),
    RuleSpec {
        id: "azure-storage-account-key",
        description: "Azure storage account key in a connection string",
        keywords: &["accountkey"],
        exact_keywords: false,
        pattern: r"(?i:AccountKey)=([A-Za-z0-9+/]{86}==)",
        group: 1,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "azure-shared-access-key",
        description: "Azure Service Bus / Event Hubs / IoT shared access key",
        keywords: &["sharedaccesskey"],
        exact_keywords: false,
        pattern: r"(?i:SharedAccessKey)=([A-Za-z0-9+/]{43}=)",
        group: 1,
        ..RuleSpec::DEFAULT
    },
    RuleSpec {
        id: "azure-sas-token",
        description: "Azure shared access signature (sig= with sv=)",
        keywords: &["sig="],
        context: &["sv=", "sv%3d"],
        pattern: r"[?&]sig=([A-Za-z0-9%/+]{40,90}(?:%3D|=){0,2})",
        group: 1,
        ..RuleSpec::DEFAULT
    },
    // The `<3 chars><digit>Q~<31-34 chars>` shape is distinctive enough to stand alone.
    prefixed!(
        "azure-ad-client-secret",
        "Azure AD / Entra ID application client secret",
        ["Q~"],
        r"(?:^|[^A-Za-z0-9_~.\-])([a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.\-]{31,34})(?:$|[^A-Za-z0-9_~.\-])",
        group: 1
    ),
    RuleSpec {
        id: "azure-devops-pat",
        description: "Azure DevOps personal access token",
        keywords: &[
            "ext_pat",
            "devops_pat",
            "ado_pat",
            "vsts_pat",
            "azure_pat",
            "token",
            "key",
        ],
        exact_keywords: false,
        context: &["azure", "ado", "devops", "vsts"],
        pattern: r#"(?i:azure|ado|devops|vsts)[\w.\-]{0,32}?(?i:pat|token|key)[\w.\-]{0,16}?["']?[ \t]{0,4}(?:=|:|=>|:=)[ \t]{0,4}["'`]?([a-z2-7]{52})(?:[^A-Za-z0-9_\-]|$)"#,
        group: 1,
        assignment: true,
        ..RuleSpec::DEFAULT
    },
    prefixed!(
        "digitalocean-pat",
        "DigitalOcean personal access token",
        ["dop_v1_"],
        r"\bdop_v1_[a-f0-9]{64}\b"
    ),
    prefixed!(
        "digitalocean-oauth-token",
        "DigitalOcean OAuth access token",
        ["doo_v1_"],
        r"\bdoo_v1_[a-f0-9]{64}\b"
    ),
    prefixed!(
        "digitalocean-refresh-token",
        "DigitalOcean OAuth refresh token",
        ["dor_v1_"],
        r"\bdor_v1_[a-f0-9]{64}\b"
    ),
    contextual!(
        "heroku-api-key",
        "Heroku API key (UUID form)",
        ["heroku"],
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    ),
    prefixed!(
        "heroku-api-key-v2",
        "Heroku API key (HRKU- form)",
        ["HRKU-"],
        r"\bHRKU-[0-9A-Za-z_\-]{40,80}"
    ),
    prefixed!("alibaba-access-key-id", "Alibaba Cloud AccessKey ID",
        ["LTAI"], r"\bLTAI[A-Za-z0-9]{12,20}\b", validators: &[Validator::HasDigit]),
    contextual!(
        "alibaba-access-key-secret",
        "Alibaba Cloud AccessKey secret",
        ["alibaba", "aliyun", "alicloud"],
        r"[A-Za-z0-9]{30}"
    ),
    contextual!(
        "ibm-cloud-api-key",
        "IBM Cloud IAM API key",
        ["ibm", "bluemix", "cloudant"],
        r"[A-Za-z0-9_\-]{44}"
    ),
    contextual!(
        "oracle-oci-auth-token",
        "Oracle Cloud (OCI) auth token",
        ["oci", "oracle"],
        r"[A-Za-z0-9+\-_:;.()<>\[\]{}#]{20}"
    ),
    prefixed!(
        "tencent-secret-id",
        "Tencent Cloud SecretId",
        ["AKID"],
        r"\bAKID[A-Za-z0-9]{32}\b"
    ),
    contextual!(
        "tencent-secret-key",
        "Tencent Cloud SecretKey",
        ["tencent", "qcloud"],
        r"[A-Za-z0-9]{32}"
    ),
    prefixed!(
        "yandex-api-key",
        "Yandex Cloud API key",
        ["AQVN"],
        r"\bAQVN[A-Za-z0-9_\-]{35,38}\b"
    ),
    contextual!(
        "cloudflare-api-token",
        "Cloudflare API token",
        ["cloudflare", "cf_api", "cf-api"],
        r"[A-Za-z0-9_\-]{40}"
    ),
    contextual!(
        "cloudflare-global-api-key",
        "Cloudflare global API key",
        ["cloudflare", "cf_api", "cf-api"],
        r"[0-9a-f]{37}"
    ),
    prefixed!(
        "cloudflare-origin-ca-key",
        "Cloudflare Origin CA key",
        ["v1.0-"],
        r"\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}\b"
    ),
    prefixed!("scaleway-access-key", "Scaleway access key",
        ["SCW"], r"\bSCW[A-Z0-9]{17}\b", validators: &[Validator::HasDigit]),
    contextual!(
        "scaleway-secret-key",
        "Scaleway secret key",
        ["scaleway", "scw"],
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    ),
    contextual!(
        "linode-token",
        "Linode / Akamai API token",
        ["linode"],
        r"[0-9a-f]{64}"
    ),
    contextual!("vultr-api-key", "Vultr API key", ["vultr"], r"[A-Z0-9]{36}"),
    contextual!(
        "hetzner-api-token",
        "Hetzner Cloud API token",
        ["hetzner", "hcloud"],
        r"[A-Za-z0-9]{64}"
    ),
    prefixed!("flyio-token", "Fly.io access token",
        ["FlyV1 "], r"FlyV1 fm[12]_[A-Za-z0-9+/=,_\-]{50,}", after: 2100),
    contextual!(
        "vercel-token",
        "Vercel access token",
        ["vercel"],
        r"[A-Za-z0-9]{24}"
    ),
    prefixed!(
        "netlify-pat",
        "Netlify personal access token (nfp_)",
        ["nfp_"],
        r"\bnfp_[A-Za-z0-9]{36}\b"
    ),
    contextual!(
        "netlify-token",
        "Netlify access token (legacy)",
        ["netlify"],
        r"[A-Za-z0-9_\-]{40,46}"
    ),
    prefixed!(
        "render-api-key",
        "Render API key",
        ["rnd_"],
        r"\brnd_[A-Za-z0-9]{32}\b"
    ),
    contextual!(
        "railway-token",
        "Railway API token",
        ["railway"],
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    ),
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    let ctx = |var: &str, secret: &str| format!("export {var}=\"{secret}\"");
    vec![
        s("aws-access-key-id",
            vec![format!("aws_access_key_id = {}", format!("AKIA{}", fill(UPNUM, 16, 1))), format!("ASIA{}", fill(UPNUM, 16, 2))],
            vec!["AKIAIOSFODNN7EXAMPLE".into(), format!("AKIA{}", fill(UPNUM, 12, 3)), format!("XAKIA{}", fill(UPNUM, 16, 1))]),
        s("aws-secret-access-key",
            vec![format!("aws_secret_access_key = {}", fill(B64, 40, 4)), format!("\"SecretAccessKey\": \"{}\"", fill(B64, 40, 5))],
            vec![format!("aws_secret_access_key = {}", fill(B64, 30, 4)), "aws_secret_access_key = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into()]),
        s("aws-session-token",
            vec![format!("aws_session_token = {}", fill(B64, 300, 6))],
            vec![format!("aws_session_token = {}", fill(B64, 50, 6))]),
        s("aws-sts-session-token",
            vec![format!("token: IQoJb3JpZ2luX2Vj{}", fill(B64, 200, 7))],
            vec![format!("IQoJb3JpZ2luX2Vj{}", fill(B64, 20, 7))]),
        s("aws-mws-auth-token", vec![format!("amzn.mws.{}", uuid(8))], vec!["amzn.mws.1234".into()]),
        s("gcp-api-key", vec![format!("key=AIza{}", fill(B64URL, 35, 9))], vec![format!("AIza{}", fill(B64URL, 20, 9))]),
        s("gcp-service-account-private-key",
            vec![format!("{{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\"}}", fill(B64, 400, 10))],
            vec!["{\"private_key\": \"\"}".into()]),
        s("gcp-oauth-client-secret", vec![format!("GOCSPX-{}", fill(B64URL, 28, 11))], vec!["GOCSPX-short".into()]),
        s("google-oauth-access-token", vec![format!("Bearer ya29.{}", fill(B64URL, 120, 12))], vec!["ya29.short".into()]),
        s("google-oauth-refresh-token", vec![format!("refresh=1//0{}", fill(B64URL, 60, 13))], vec!["http://0/1//0abc".into()]),
        s("azure-storage-account-key",
            vec![format!("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={}==;EndpointSuffix=core.windows.net", fill(B64, 86, 14))],
            vec!["AccountKey=;".into()]),
        s("azure-shared-access-key",
            vec![format!("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={}=", fill(B64, 43, 15))],
            vec!["SharedAccessKeyName=RootManageSharedAccessKey".into()]),
        s("azure-sas-token",
            vec![format!("https://a.blob.core.windows.net/c?sv=2022-11-02&ss=b&sp=r&se=2030-01-01&sig={}%3D", fill(ALNUM, 43, 16))],
            vec![format!("https://example.com/?sig={}", fill(ALNUM, 43, 16))]),
        s("azure-ad-client-secret",
            vec![ctx("AZURE_CLIENT_SECRET", &format!("{}8Q~{}", fill(ALNUM, 3, 17), fill(ALNUM, 34, 18))), format!("secret: {}8Q~{}", fill(ALNUM, 3, 17), fill(ALNUM, 33, 18))],
            vec![ctx("AZURE_CLIENT_SECRET", "abc")]),
        s("azure-devops-pat", vec![ctx("AZURE_DEVOPS_PAT", &fill("abcdefghijklmnopqrstuvwxyz234567", 52, 19))], vec![ctx("AZURE_DEVOPS_PAT", &fill(LOWER, 20, 19))]),
        s("digitalocean-pat", vec![format!("dop_v1_{}", fill(HEX, 64, 20))], vec![format!("dop_v1_{}", fill(HEX, 40, 20))]),
        s("digitalocean-oauth-token", vec![format!("doo_v1_{}", fill(HEX, 64, 21))], vec![format!("doo_v1_{}", fill(HEX, 10, 21))]),
        s("digitalocean-refresh-token", vec![format!("dor_v1_{}", fill(HEX, 64, 22))], vec![format!("dor_v1_{}", fill(HEX, 10, 22))]),
        s("heroku-api-key", vec![ctx("HEROKU_API_KEY", &uuid(23))], vec![ctx("OTHER_THING_ID", &uuid(23))]),
        s("heroku-api-key-v2", vec![format!("HRKU-{}", fill(B64URL, 60, 24))], vec!["HRKU-short".into()]),
        s("alibaba-access-key-id", vec![format!("LTAI{}", fill(ALNUM, 20, 25))], vec!["LTAIshort".into()]),
        s("alibaba-access-key-secret", vec![ctx("ALIBABA_CLOUD_ACCESS_KEY_SECRET", &fill(ALNUM, 30, 26))], vec![ctx("ALIBABA_CLOUD_ACCESS_KEY_SECRET", &fill(ALNUM, 12, 26))]),
        s("ibm-cloud-api-key", vec![ctx("IBM_CLOUD_API_KEY", &fill(B64URL, 44, 27))], vec![ctx("IBM_CLOUD_API_KEY", &fill(B64URL, 20, 27))]),
        s("oracle-oci-auth-token", vec![ctx("OCI_AUTH_TOKEN", "k9(Zq]L2x<Vb8{Tn#W3a")], vec![ctx("OCI_AUTH_TOKEN", "short")]),
        s("tencent-secret-id", vec![format!("AKID{}", fill(ALNUM, 32, 28))], vec![format!("AKID{}", fill(ALNUM, 10, 28))]),
        s("tencent-secret-key", vec![ctx("TENCENTCLOUD_SECRET_KEY", &fill(ALNUM, 32, 29))], vec![ctx("TENCENTCLOUD_SECRET_KEY", &fill(ALNUM, 8, 29))]),
        s("yandex-api-key", vec![format!("AQVN{}", fill(B64URL, 36, 30))], vec!["AQVNshort".into()]),
        s("cloudflare-api-token", vec![ctx("CLOUDFLARE_API_TOKEN", &fill(B64URL, 40, 31))], vec![ctx("CLOUDFLARE_API_TOKEN", &fill(B64URL, 12, 31))]),
        s("cloudflare-global-api-key", vec![ctx("CLOUDFLARE_API_KEY", &fill(HEX, 37, 32))], vec![ctx("CLOUDFLARE_API_KEY", &fill(HEX, 12, 32))]),
        s("cloudflare-origin-ca-key", vec![format!("v1.0-{}-{}", fill(HEX, 24, 33), fill(HEX, 146, 34))], vec![format!("v1.0-{}", fill(HEX, 24, 33))]),
        s("scaleway-access-key", vec![format!("SCW{}", fill(UPNUM, 17, 35))], vec!["SCWABCDEF".into()]),
        s("scaleway-secret-key", vec![ctx("SCW_SECRET_KEY", &uuid(36))], vec![ctx("SCW_SECRET_KEY", "abc")]),
        s("linode-token", vec![ctx("LINODE_TOKEN", &fill(HEX, 64, 37))], vec![ctx("LINODE_TOKEN", &fill(HEX, 20, 37))]),
        s("vultr-api-key", vec![ctx("VULTR_API_KEY", &fill(UPNUM, 36, 38))], vec![ctx("VULTR_API_KEY", &fill(UPNUM, 10, 38))]),
        s("hetzner-api-token", vec![ctx("HCLOUD_TOKEN", &fill(ALNUM, 64, 39))], vec![ctx("HCLOUD_TOKEN", &fill(ALNUM, 30, 39))]),
        s("flyio-token", vec![format!("FlyV1 fm2_{}", fill(B64, 120, 40))], vec!["FlyV1 fm2_short".into()]),
        s("vercel-token", vec![ctx("VERCEL_TOKEN", &fill(ALNUM, 24, 41))], vec![ctx("VERCEL_TOKEN", &fill(ALNUM, 10, 41))]),
        s("netlify-pat", vec![format!("nfp_{}", fill(ALNUM, 36, 42))], vec!["nfp_short".into()]),
        s("netlify-token", vec![ctx("NETLIFY_AUTH_TOKEN", &fill(B64URL, 43, 43))], vec![ctx("NETLIFY_AUTH_TOKEN", &fill(B64URL, 10, 43))]),
        s("render-api-key", vec![format!("rnd_{}", fill(ALNUM, 32, 44))], vec!["rnd_short".into()]),
        s("railway-token", vec![ctx("RAILWAY_TOKEN", &uuid(45))], vec![ctx("RAILWAY_TOKEN", "abc")]),
    ]
}
