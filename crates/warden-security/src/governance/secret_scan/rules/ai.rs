//! AI and ML providers: OpenAI, Anthropic, Hugging Face, Cohere, Replicate, Groq, Mistral,
//! Perplexity, xAI, DeepSeek, Together, Fireworks, LangSmith, Pinecone, Weights & Biases,
//! AssemblyAI, ElevenLabs, Stability, OpenRouter, Voyage, Deepgram, Cerebras, Anyscale.

use super::{contextual, prefixed, RuleSpec};

pub(super) const RULES: &[RuleSpec] = &[
    prefixed!("openai-project-key", "OpenAI project API key (sk-proj-)",
        ["sk-"], r"\bsk-proj-[A-Za-z0-9_\-]{40,200}", after: 220),
    prefixed!("openai-service-account-key", "OpenAI service account key (sk-svcacct-)",
        ["sk-"], r"\bsk-svcacct-[A-Za-z0-9_\-]{40,200}", after: 220),
    prefixed!("openai-admin-key", "OpenAI admin key (sk-admin-)",
        ["sk-"], r"\bsk-admin-[A-Za-z0-9_\-]{40,200}", after: 220),
    prefixed!("openai-api-key", "OpenAI user API key (legacy sk-…T3BlbkFJ… form)",
        ["sk-"], r"\bsk-(?:None-)?[A-Za-z0-9_\-]{20,74}T3BlbkFJ[A-Za-z0-9_\-]{20,74}\b", after: 180),
    prefixed!(
        "anthropic-api-key",
        "Anthropic API key (sk-ant-api03-)",
        ["sk-"],
        r"\bsk-ant-api\d{2}-[A-Za-z0-9_\-]{80,120}"
    ),
    prefixed!(
        "anthropic-admin-key",
        "Anthropic Admin API key (sk-ant-admin01-)",
        ["sk-"],
        r"\bsk-ant-admin\d{2}-[A-Za-z0-9_\-]{80,120}"
    ),
    prefixed!(
        "anthropic-oauth-token",
        "Anthropic OAuth access/refresh token (sk-ant-oat/ort)",
        ["sk-"],
        r"\bsk-ant-o(?:at|rt)\d{2}-[A-Za-z0-9_\-]{80,120}"
    ),
    contextual!(
        "deepseek-api-key",
        "DeepSeek API key",
        ["deepseek"],
        r"sk-[a-f0-9]{32}"
    ),
    prefixed!(
        "huggingface-token",
        "Hugging Face user access token (hf_)",
        ["hf_"],
        r"\bhf_[A-Za-z]{34}\b"
    ),
    prefixed!(
        "huggingface-org-token",
        "Hugging Face organization token (api_org_)",
        ["api_org_"],
        r"\bapi_org_[A-Za-z]{34}\b"
    ),
    contextual!(
        "cohere-api-key",
        "Cohere API key",
        ["cohere", "co_api"],
        r"[A-Za-z0-9]{40}"
    ),
    prefixed!(
        "replicate-api-token",
        "Replicate API token",
        ["r8_"],
        r"\br8_[A-Za-z0-9]{37}\b"
    ),
    prefixed!(
        "groq-api-key",
        "Groq API key",
        ["gsk_"],
        r"\bgsk_[A-Za-z0-9]{52}\b"
    ),
    contextual!(
        "mistral-api-key",
        "Mistral AI API key",
        ["mistral"],
        r"[A-Za-z0-9]{32}"
    ),
    prefixed!(
        "perplexity-api-key",
        "Perplexity API key",
        ["pplx-"],
        r"\bpplx-[A-Za-z0-9]{48}\b"
    ),
    prefixed!(
        "xai-api-key",
        "xAI (Grok) API key",
        ["xai-"],
        r"\bxai-[A-Za-z0-9]{80}\b"
    ),
    contextual!(
        "together-api-key",
        "Together AI API key",
        ["together"],
        r"(?:tgp_v1_[A-Za-z0-9_\-]{43}|[a-f0-9]{64})"
    ),
    contextual!(
        "fireworks-api-key",
        "Fireworks AI API key",
        ["fireworks"],
        r"(?:fw_)?[A-Za-z0-9]{24,48}"
    ),
    prefixed!(
        "langsmith-api-key",
        "LangSmith API key / personal token",
        ["lsv2_"],
        r"\blsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}\b"
    ),
    prefixed!(
        "pinecone-api-key",
        "Pinecone API key (pcsk_)",
        ["pcsk_"],
        r"\bpcsk_[A-Za-z0-9_]{50,100}\b"
    ),
    contextual!(
        "wandb-api-key",
        "Weights & Biases API key",
        ["wandb"],
        r"[a-f0-9]{40}"
    ),
    contextual!(
        "assemblyai-api-key",
        "AssemblyAI API key",
        ["assemblyai", "assembly_ai"],
        r"[a-f0-9]{32}"
    ),
    contextual!(
        "elevenlabs-api-key",
        "ElevenLabs API key",
        ["elevenlabs", "eleven_labs", "xi-api", "xi_api"],
        r"(?:sk_)?[a-f0-9]{32,48}"
    ),
    contextual!(
        "stability-api-key",
        "Stability AI API key",
        ["stability"],
        r"sk-[A-Za-z0-9]{48}"
    ),
    prefixed!(
        "openrouter-api-key",
        "OpenRouter API key",
        ["sk-"],
        r"\bsk-or-v1-[a-f0-9]{64}\b"
    ),
    contextual!(
        "voyage-api-key",
        "Voyage AI API key",
        ["voyage"],
        r"pa-[A-Za-z0-9_\-]{43}"
    ),
    contextual!(
        "deepgram-api-key",
        "Deepgram API key",
        ["deepgram"],
        r"[a-f0-9]{40}"
    ),
    prefixed!(
        "cerebras-api-key",
        "Cerebras API key",
        ["csk-"],
        r"\bcsk-[a-z0-9]{48}\b"
    ),
    prefixed!("anyscale-api-key", "Anyscale Endpoints API key",
        ["secret"], r"\besecret_[A-Za-z0-9]{26}\b", exact_keywords: false),
];

#[cfg(test)]
pub(super) fn samples() -> Vec<super::samples::Sample> {
    use super::samples::*;
    let ctx = |var: &str, secret: &str| format!("os.environ[\"{var}\"] = \"{secret}\"");
    vec![
        s(
            "openai-project-key",
            vec![format!("OPENAI_API_KEY=sk-proj-{}", fill(B64URL, 156, 1))],
            vec!["sk-proj-short".into()],
        ),
        s(
            "openai-service-account-key",
            vec![format!("sk-svcacct-{}", fill(B64URL, 120, 2))],
            vec!["sk-svcacct-short".into()],
        ),
        s(
            "openai-admin-key",
            vec![format!("sk-admin-{}", fill(B64URL, 120, 3))],
            vec!["sk-admin-short".into()],
        ),
        s(
            "openai-api-key",
            vec![format!(
                "sk-{}T3BlbkFJ{}",
                fill(ALNUM, 20, 4),
                fill(ALNUM, 20, 5)
            )],
            vec![format!("sk-{}", fill(ALNUM, 48, 4))],
        ),
        s(
            "anthropic-api-key",
            vec![format!("x-api-key: sk-ant-api03-{}AA", fill(B64URL, 93, 6))],
            vec!["sk-ant-api03-short".into()],
        ),
        s(
            "anthropic-admin-key",
            vec![format!("sk-ant-admin01-{}AA", fill(B64URL, 93, 7))],
            vec!["sk-ant-admin01-short".into()],
        ),
        s(
            "anthropic-oauth-token",
            vec![format!("sk-ant-oat01-{}AA", fill(B64URL, 93, 8))],
            vec!["sk-ant-oat01-short".into()],
        ),
        s(
            "deepseek-api-key",
            vec![ctx("DEEPSEEK_API_KEY", &format!("sk-{}", fill(HEX, 32, 9)))],
            vec![ctx("DEEPSEEK_API_KEY", "sk-short")],
        ),
        s(
            "huggingface-token",
            vec![format!("HF_TOKEN=hf_{}", fill(ALPHA, 34, 10))],
            vec!["hf_short".into()],
        ),
        s(
            "huggingface-org-token",
            vec![format!("api_org_{}", fill(ALPHA, 34, 11))],
            vec!["api_org_short".into()],
        ),
        s(
            "cohere-api-key",
            vec![ctx("COHERE_API_KEY", &fill(ALNUM, 40, 12))],
            vec![ctx("COHERE_API_KEY", &fill(ALNUM, 10, 12))],
        ),
        s(
            "replicate-api-token",
            vec![format!("r8_{}", fill(ALNUM, 37, 13))],
            vec!["r8_short".into()],
        ),
        s(
            "groq-api-key",
            vec![format!("gsk_{}", fill(ALNUM, 52, 14))],
            vec!["gsk_short".into()],
        ),
        s(
            "mistral-api-key",
            vec![ctx("MISTRAL_API_KEY", &fill(ALNUM, 32, 15))],
            vec![ctx("MISTRAL_API_KEY", &fill(ALNUM, 10, 15))],
        ),
        s(
            "perplexity-api-key",
            vec![format!("pplx-{}", fill(ALNUM, 48, 16))],
            vec!["pplx-short".into()],
        ),
        s(
            "xai-api-key",
            vec![format!("xai-{}", fill(ALNUM, 80, 17))],
            vec!["xai-short".into()],
        ),
        s(
            "together-api-key",
            vec![ctx("TOGETHER_API_KEY", &fill(HEX, 64, 18))],
            vec![ctx("TOGETHER_API_KEY", &fill(HEX, 10, 18))],
        ),
        s(
            "fireworks-api-key",
            vec![ctx(
                "FIREWORKS_API_KEY",
                &format!("fw_{}", fill(ALNUM, 24, 19)),
            )],
            vec![ctx("FIREWORKS_API_KEY", "fw_short")],
        ),
        s(
            "langsmith-api-key",
            vec![format!(
                "lsv2_pt_{}_{}",
                fill(HEX, 32, 20),
                fill(HEX, 10, 21)
            )],
            vec!["lsv2_pt_short".into()],
        ),
        s(
            "pinecone-api-key",
            vec![format!("pcsk_{}", fill(ALNUM, 70, 22))],
            vec!["pcsk_short".into()],
        ),
        s(
            "wandb-api-key",
            vec![ctx("WANDB_API_KEY", &fill(HEX, 40, 23))],
            vec![ctx("WANDB_API_KEY", &fill(HEX, 10, 23))],
        ),
        s(
            "assemblyai-api-key",
            vec![ctx("ASSEMBLYAI_API_KEY", &fill(HEX, 32, 24))],
            vec![ctx("ASSEMBLYAI_API_KEY", &fill(HEX, 10, 24))],
        ),
        s(
            "elevenlabs-api-key",
            vec![ctx(
                "ELEVENLABS_API_KEY",
                &format!("sk_{}", fill(HEX, 48, 25)),
            )],
            vec![ctx("ELEVENLABS_API_KEY", "sk_short")],
        ),
        s(
            "stability-api-key",
            vec![ctx(
                "STABILITY_API_KEY",
                &format!("sk-{}", fill(ALNUM, 48, 26)),
            )],
            vec![ctx("STABILITY_API_KEY", "sk-short")],
        ),
        s(
            "openrouter-api-key",
            vec![format!("sk-or-v1-{}", fill(HEX, 64, 27))],
            vec!["sk-or-v1-short".into()],
        ),
        s(
            "voyage-api-key",
            vec![ctx(
                "VOYAGE_API_KEY",
                &format!("pa-{}", fill(B64URL, 43, 28)),
            )],
            vec![ctx("VOYAGE_API_KEY", "pa-short")],
        ),
        s(
            "deepgram-api-key",
            vec![ctx("DEEPGRAM_API_KEY", &fill(HEX, 40, 29))],
            vec![ctx("DEEPGRAM_API_KEY", &fill(HEX, 10, 29))],
        ),
        s(
            "cerebras-api-key",
            vec![format!("csk-{}", fill(LOWNUM, 48, 30))],
            vec!["csk-short".into()],
        ),
        s(
            "anyscale-api-key",
            vec![format!("esecret_{}", fill(ALNUM, 26, 31))],
            vec!["esecret_short".into()],
        ),
    ]
}
