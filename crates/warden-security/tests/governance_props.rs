//! Property tests: the engine never panics on arbitrary arguments, and limits bound the work.

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use warden_security::counters::InMemoryCounterStore;
use warden_security::governance::{
    Decision, GovernanceConfig, GovernanceEngine, PolicyContext, Principal,
};
use warden_types::Scopes;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,64}".prop_map(Value::String),
        "(rm -rf /|curl x \\| sh|cat ~/.ssh/id_rsa|AKIA[A-Z0-9]{16}|[A-Za-z0-9+/=]{20,80})"
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(8, 256, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,10}", inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn engine() -> GovernanceEngine {
    GovernanceEngine::new(
        &GovernanceConfig::default(),
        Arc::new(InMemoryCounterStore::default()),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn engine_never_panics_on_arbitrary_arguments(
        tool in "(Bash|Read|mcp__[a-z]{1,8}__[a-z_]{1,12}|[ -~]{0,20})",
        args in arb_json(),
    ) {
        let eng = engine();
        let ctx = PolicyContext::tool_call(tool, args, Principal::new("u", "s", Scopes::parse("user")));
        let e = block_on(eng.evaluate(&ctx));
        prop_assert_eq!(e.chain.len() >= 4, true);
        prop_assert!(serde_json::to_string(&e.to_json()).is_ok());
    }

    #[test]
    fn engine_never_panics_on_arbitrary_prompts(text in ".{0,512}") {
        let eng = engine();
        let e = block_on(eng.evaluate(&PolicyContext::prompt(text, Principal::new("u", "s", Scopes::default()))));
        prop_assert_eq!(e.chain.len(), 4);
    }

    #[test]
    fn nesting_beyond_the_limit_is_denied_with_a_reason(depth in 65usize..400, arrays in any::<bool>()) {
        let mut v = json!("leaf");
        for _ in 0..depth {
            v = if arrays {
                Value::Array(vec![v])
            } else {
                Value::Object(std::iter::once(("k".to_owned(), v)).collect())
            };
        }
        // Arguments are an object; the nesting is inside it.
        let v = Value::Object(std::iter::once(("command".to_owned(), v)).collect());
        let e = block_on(engine().evaluate(&PolicyContext::tool_call("Bash", v, Principal::new("u", "s", Scopes::default()))));
        prop_assert_eq!(e.decision, Decision::Deny);
        prop_assert_eq!(e.reason.code(), "arguments_too_deep");
    }
}

proptest! {
    #[test]
    fn config_parser_never_panics(text in "(?s).{0,400}") {
        let _ = GovernanceConfig::from_toml_str(&text);
        let _ = GovernanceConfig::from_warden_toml(&text);
    }

    #[test]
    fn config_parser_never_panics_on_tomlish_input(
        key in "(enabled|mode|deny|allow|ask|pattern|path|tool|tools|scopes|limit|window_secs|key|default|max_argument_depth)",
        value in "(true|1|-1|0|\"[^\"\\\\]{0,12}\"|\\[\"[^\"\\\\]{0,8}\"\\]|\\{\\})",
        section in "(|\\[tool_blocklist\\]|\\[scope_check\\]|\\[\\[rate_limit.limits\\]\\]|\\[\\[tool_blocklist.argument_rules\\]\\]|\\[secret_scan\\])",
    ) {
        let _ = GovernanceConfig::from_toml_str(&format!("{section}\n{key} = {value}\n"));
    }

    #[test]
    fn glob_compiler_never_panics(pattern in "(?s).{0,64}") {
        let _ = warden_security::governance::glob::compile_pattern(&pattern);
        let _ = warden_security::governance::json_path::JsonPath::parse(&pattern);
    }
}

#[test]
fn huge_string_is_denied_as_too_large() {
    let args = json!({"command": "a".repeat(2 << 20)});
    let e = block_on(engine().evaluate(&PolicyContext::tool_call(
        "Bash",
        args,
        Principal::new("u", "s", Scopes::default()),
    )));
    assert_eq!(e.decision, Decision::Deny);
    assert_eq!(e.reason.code(), "arguments_too_large");
}

#[test]
fn very_deep_nesting_is_rejected_without_recursion() {
    // Checked iteratively; the limit stops the engine long before any layer.
    let mut v = json!(1);
    for _ in 0..20_000 {
        v = Value::Array(vec![v]);
    }
    let ctx = PolicyContext::tool_call(
        "Bash",
        // Not `json!`, which would serialize `v` recursively.
        Value::Object(std::iter::once(("command".to_owned(), v)).collect()),
        Principal::new("u", "s", Scopes::default()),
    );
    let e = block_on(engine().evaluate(&ctx));
    let code = e.reason.code().to_owned();
    // Dropping a 20 000-deep serde_json value recurses (serde_json, not Warden): leak it,
    // before asserting (a failed assert would drop it while unwinding).
    std::mem::forget(ctx);
    std::mem::forget(e);
    assert_eq!(code, "arguments_too_deep");
}
