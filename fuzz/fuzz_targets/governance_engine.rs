//! Arbitrary bytes as tool-call arguments (and as a prompt) through the default engine.
#![no_main]

use std::future::Future;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use libfuzzer_sys::fuzz_target;
use warden_security::governance::{GovernanceEngine, PolicyContext, Principal};
use warden_types::Scopes;

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn engine() -> &'static GovernanceEngine {
    static E: OnceLock<GovernanceEngine> = OnceLock::new();
    E.get_or_init(|| GovernanceEngine::with_defaults().unwrap_or_else(|e| panic!("{e}")))
}

fuzz_target!(|data: &[u8]| {
    let principal = Principal::new("u", "s", Scopes::parse("user"));
    if let Ok(args) = serde_json::from_slice::<serde_json::Value>(data) {
        let ctx = PolicyContext::tool_call("Bash", args, principal.clone());
        let e = block_on(engine().evaluate(&ctx));
        let _ = e.to_json();
    }
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = block_on(engine().evaluate(&PolicyContext::prompt(text, principal)));
});
