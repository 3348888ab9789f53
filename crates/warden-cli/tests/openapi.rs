//! `GET /openapi.json` on the real `warden serve`: the document is served unauthenticated,
//! covers exactly the README's API table, every documented operation is routed (and nothing
//! else is routed on a documented path), and what the server really answers conforms to the
//! documented schemas. An independent validator (openapi-spec-validator, Python) checks the
//! document when installed; it skips without it unless `WARDEN_REQUIRE_INTEROP=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use common::server::{client, temp_dir, Server};
use reqwest::blocking::{Client, RequestBuilder};
use serde_json::{json, Value};

/// An MCP upstream that is never contacted successfully (nothing listens on the discard port):
/// the `/mcp/{server}` route exists only when a server is configured.
const CONFIG: &str = "[[mcp.servers]]\nname = \"demo\"\nurl = \"http://127.0.0.1:9/mcp\"\n";

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

fn fetch_document(c: &Client, s: &Server) -> Value {
    let resp = c.get(s.url("/openapi.json")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(ct, "application/json");
    resp.json().unwrap()
}

/// `(METHOD, path)` of every documented operation.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

/// The README's HTTP API table as `(METHOD, path)`; a row without a method (the MCP gateway)
/// gives `("*", path)`.
fn readme_table() -> BTreeSet<(String, String)> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let mut rows = readme
        .lines()
        .skip_while(|l| !l.starts_with("| endpoint | who may call | what it does |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .peekable();
    assert!(rows.peek().is_some(), "README: API table not found");
    let mut out = BTreeSet::new();
    for row in rows {
        let first_cell = row.split(" | ").next().unwrap().trim_start_matches("| ");
        for entry in first_cell.split('`').skip(1).step_by(2) {
            let (methods, path) = match entry.split_once(' ') {
                Some((m, p)) => (m, p),
                None => ("*", entry),
            };
            // `GET /v1/secrets[?namespace=]`: the optional query is not part of the path.
            let path = path.split('[').next().unwrap();
            for m in methods.split('/') {
                out.insert((m.to_owned(), path.to_owned()));
            }
        }
    }
    out
}

#[test]
fn serves_the_document_without_authentication() {
    let dir = temp_dir("openapi-serve");
    let s = Server::start(&dir.join("data"), "");
    let doc = fetch_document(&client(), &s);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "Warden");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(doc["paths"]["/v1/govern"]["post"].is_object());
}

#[test]
fn documents_exactly_the_readme_api_table() {
    let dir = temp_dir("openapi-readme");
    let s = Server::start(&dir.join("data"), "");
    let doc = fetch_document(&client(), &s);
    let documented = documented(&doc);
    let table = readme_table();
    for (method, path) in &table {
        if method == "*" {
            assert!(
                documented.iter().any(|(_, p)| p == path),
                "README lists {path}, the document does not"
            );
        } else {
            assert!(
                documented.contains(&(method.clone(), path.clone())),
                "README lists {method} {path}, the document does not"
            );
        }
    }
    for (method, path) in &documented {
        assert!(
            table.contains(&(method.clone(), path.clone()))
                || table.contains(&("*".to_owned(), path.clone())),
            "the document has {method} {path}, the README's API table does not"
        );
    }
}

fn concrete(path: &str) -> String {
    path.replace("{server}", "demo")
        .replace("{namespace}", "openapi-probe")
        .replace("{name}", "absent")
}

fn request(c: &Client, method: &str, url: &str) -> RequestBuilder {
    c.request(method.parse().unwrap(), url)
}

#[test]
fn every_documented_operation_is_routed_and_nothing_else_on_its_path() {
    let dir = temp_dir("openapi-routes");
    let s = Server::start(&dir.join("data"), CONFIG);
    let c = client();
    let admin = s.admin_token();
    let doc = fetch_document(&c, &s);
    let documented = documented(&doc);
    let paths: BTreeSet<&String> = documented.iter().map(|(_, p)| p).collect();
    for path in paths {
        let url = s.url(&concrete(path));
        for method in METHODS {
            // An empty body: at most an empty probe secret is stored, in this test's data dir.
            let resp = request(&c, method, &url)
                .bearer_auth(&admin)
                .send()
                .unwrap();
            let status = resp.status().as_u16();
            let body = resp.text().unwrap();
            let routed = status != 405 && !(status == 404 && body.is_empty());
            let is_documented = documented.contains(&(method.to_owned(), path.clone()));
            assert_eq!(
                routed, is_documented,
                "{method} {path}: answered {status} {body:?}; documented: {is_documented}"
            );
        }
    }
    // The route of an undocumented path is absent.
    let resp = c.get(s.url("/v1/undocumented")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}

// ---------------------------------------------------------------------------------------------
// Conformance of real answers to the documented schemas.

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.strip_prefix("#/components/schemas/").unwrap();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        other => panic!("unknown schema type {other}"),
    }
}

/// Every way `value` departs from `schema`: undeclared or missing properties, wrong types,
/// values outside an `enum`. Enough of JSON Schema for the shapes this document uses.
fn departures(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(any) = schema["oneOf"].as_array() {
        let fits = any.iter().any(|s| {
            let mut o = Vec::new();
            departures(doc, s, value, at, &mut o);
            o.is_empty()
        });
        if !fits {
            out.push(format!("{at}: matches no oneOf alternative: {value}"));
        }
        return;
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() && !types.iter().any(|t| type_matches(t, value)) {
        out.push(format!("{at}: {value} is not of type {types:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    match value {
        Value::Object(map) => {
            let props = schema["properties"].as_object();
            for (k, v) in map {
                match props.and_then(|p| p.get(k)) {
                    Some(s) => departures(doc, s, v, &format!("{at}.{k}"), out),
                    None => match &schema["additionalProperties"] {
                        Value::Object(_) => departures(
                            doc,
                            &schema["additionalProperties"],
                            v,
                            &format!("{at}.{k}"),
                            out,
                        ),
                        Value::Bool(true) => {}
                        _ if props.is_none() => {}
                        _ => out.push(format!("{at}: undocumented key {k:?}")),
                    },
                }
            }
            for req in schema["required"].as_array().into_iter().flatten() {
                let req = req.as_str().unwrap();
                if !map.contains_key(req) {
                    out.push(format!("{at}: documented required key {req:?} is missing"));
                }
            }
        }
        Value::Array(items) if !schema["items"].is_null() => {
            for (i, v) in items.iter().enumerate() {
                departures(doc, &schema["items"], v, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Sends `req`, then checks the answer against the documented response of `method path` for
/// its status (which must be documented) and returns the body.
fn conforming(doc: &Value, method: &str, path: &str, req: RequestBuilder) -> (u16, Value) {
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = resp.text().unwrap();
    let op = &doc["paths"][path][method.to_lowercase()];
    assert!(op.is_object(), "{method} {path} is not documented");
    let documented = &op["responses"][status.to_string()];
    assert!(
        documented.is_object(),
        "{method} {path} answered {status}, which is not documented: {text}"
    );
    let Some(ct) = ct else {
        assert!(
            documented.get("content").is_none(),
            "{method} {path} {status}: no body"
        );
        return (status, Value::Null);
    };
    let media = ct.split(';').next().unwrap().trim();
    let content = documented["content"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} {status}: undocumented body {ct}"));
    let schema = &content
        .iter()
        .find(|(k, _)| k.split(';').next().unwrap().trim() == media)
        .unwrap_or_else(|| panic!("{method} {path} {status}: undocumented content type {ct}"))
        .1["schema"];
    if media != "application/json" {
        return (status, Value::Null);
    }
    let value: Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    departures(doc, schema, &value, "$", &mut out);
    assert!(
        out.is_empty(),
        "{method} {path} {status} departs from the document:\n{}\nbody: {value}",
        out.join("\n")
    );
    (status, value)
}

#[test]
fn real_answers_conform_to_the_documented_schemas() {
    let dir = temp_dir("openapi-conform");
    let s = Server::start(&dir.join("data"), CONFIG);
    let c = client();
    let admin = s.admin_token();
    let doc = fetch_document(&c, &s);
    let check =
        |method: &str, path: &str, concrete: &str, f: &dyn Fn(RequestBuilder) -> RequestBuilder| {
            conforming(&doc, method, path, f(request(&c, method, &s.url(concrete))))
        };
    let auth = |r: RequestBuilder| r.bearer_auth(&admin);

    // Service endpoints.
    check("GET", "/healthz", "/healthz", &|r| r);
    check("GET", "/readyz", "/readyz", &|r| r);
    check("GET", "/metrics", "/metrics", &|r| r);
    check("GET", "/", "/", &|r| r);
    check(
        "GET",
        "/.well-known/jwks.json",
        "/.well-known/jwks.json",
        &|r| r,
    );
    check("GET", "/openapi.json", "/openapi.json", &|r| r);

    // Tokens.
    let (st, minted) = check("POST", "/v1/tokens", "/v1/tokens", &|r| {
        auth(r).json(&json!({"kind":"session","user_id":"alice","email":"a@example.com","scope":"user mcp","ttl_secs":600}))
    });
    assert_eq!(st, 201);
    let user = minted["access_token"].as_str().unwrap().to_owned();
    let form = |t: &str| format!("token={t}");
    let (_, active) = check(
        "POST",
        "/v1/tokens/introspect",
        "/v1/tokens/introspect",
        &|r| {
            auth(r)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&user))
        },
    );
    assert_eq!(active["active"], true);
    let (_, inactive) = check(
        "POST",
        "/v1/tokens/introspect",
        "/v1/tokens/introspect",
        &|r| auth(r).json(&json!({"token":"not.a.jwt"})),
    );
    assert_eq!(inactive, json!({"active": false}));

    // Secrets: a new one (201), a replaced one (200), a binary one, the list, a missing one.
    let secret = "/v1/secrets/{namespace}/{name}";
    let (st, _) = check("PUT", secret, "/v1/secrets/db/password", &|r| {
        auth(r).body("Zq8vL2pW9xR4mT7k")
    });
    assert_eq!(st, 201);
    let (st, _) = check("PUT", secret, "/v1/secrets/db/password", &|r| {
        auth(r).json(&json!({"value":"Zq8vL2pW9xR4mT7k"}))
    });
    assert_eq!(st, 200);
    check("PUT", secret, "/v1/secrets/db/blob", &|r| {
        auth(r).body(vec![0xff_u8, 0x00, 0x80])
    });
    check("GET", secret, "/v1/secrets/db/password", &|r| auth(r));
    let (_, blob) = check("GET", secret, "/v1/secrets/db/blob", &|r| auth(r));
    assert_eq!(blob["encoding"], "base64");
    check("GET", "/v1/secrets", "/v1/secrets", &|r| auth(r));
    check("GET", "/v1/secrets", "/v1/secrets?namespace=db", &|r| {
        auth(r)
    });
    let (st, _) = check("GET", secret, "/v1/secrets/db/absent", &|r| auth(r));
    assert_eq!(st, 404);
    let (st, _) = check("DELETE", secret, "/v1/secrets/db/blob", &|r| auth(r));
    assert_eq!(st, 204);

    // Governance: an allow, a deny, and a deny with findings (the stored secret, verbatim).
    for (args, decision) in [
        (json!({"command":"ls -la"}), "allow"),
        (json!({"command":"rm -rf /"}), "deny"),
        (
            json!({"command":"mysql -u app --password Zq8vL2pW9xR4mT7k prod"}),
            "deny",
        ),
    ] {
        let (st, v) = check("POST", "/v1/govern", "/v1/govern", &|r| {
            r.bearer_auth(&user)
                .json(&json!({"tool":"Bash","arguments":args,"call_id":"c-1","agent_id":"probe"}))
        });
        assert_eq!((st, v["decision"].as_str()), (200, Some(decision)), "{v}");
    }
    // Hooks: a denied tool call and a prompt.
    let (_, out) = check(
        "POST",
        "/v1/hooks/claude-code",
        "/v1/hooks/claude-code",
        &|r| {
            r.bearer_auth(&user)
                .json(&json!({"session_id":"s","hook_event_name":"PreToolUse",
            "tool_name":"Bash","tool_input":{"command":"rm -rf /"},"tool_use_id":"toolu_01"}))
        },
    );
    assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "deny");
    check(
        "POST",
        "/v1/hooks/claude-code",
        "/v1/hooks/claude-code",
        &|r| {
            r.bearer_auth(&user).json(
                &json!({"session_id":"s","hook_event_name":"UserPromptSubmit","prompt":"hello"}),
            )
        },
    );

    // Audit.
    let (_, page) = check("GET", "/v1/audit", "/v1/audit?limit=2&order=desc", &|r| {
        auth(r)
    });
    assert_eq!(page["records"].as_array().map(Vec::len), Some(2));
    check("GET", "/v1/audit", "/v1/audit?decision=deny", &|r| auth(r));
    let (_, report) = check("GET", "/v1/audit/verify", "/v1/audit/verify", &|r| auth(r));
    assert_eq!(report["ok"], true);

    // Errors: each with the documented status and the error schema.
    let (st, e) = check("POST", "/v1/govern", "/v1/govern", &|r| {
        r.json(&json!({"tool":"Bash"}))
    });
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (401, Some("missing_token"))
    );
    let (st, _) = check("GET", "/v1/audit", "/v1/audit", &|r| r.bearer_auth(&user));
    assert_eq!(st, 403);
    let (st, _) = check("POST", "/v1/govern", "/v1/govern", &|r| {
        r.bearer_auth(&user)
            .json(&json!({"tool":"Bash","user_id":"mallory"}))
    });
    assert_eq!(st, 400);
    let (st, _) = check("POST", "/v1/govern", "/v1/govern", &|r| {
        r.bearer_auth(&user)
            .header("content-type", "text/plain")
            .body("{}")
    });
    assert_eq!(st, 415);
    let (st, _) = check("GET", "/v1/audit", "/v1/audit?since=yesterday", &|r| {
        auth(r)
    });
    assert_eq!(st, 400);
    let (st, _) = check("GET", "/v1/audit", "/v1/audit?bogus=1", &|r| auth(r));
    assert_eq!(st, 400);
    let (st, _) = check("POST", "/mcp/{server}", "/mcp/nope", &|r| {
        auth(r).json(&json!({}))
    });
    assert_eq!(st, 404);

    // Revocation last: the session token stops working.
    let (_, revoked) = check("POST", "/v1/tokens/revoke", "/v1/tokens/revoke", &|r| {
        auth(r)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&user))
    });
    assert_eq!(revoked, json!({"revoked": true}));
    let (st, _) = check("GET", "/v1/audit/verify", "/v1/audit/verify", &|r| {
        r.bearer_auth(&user)
    });
    assert_eq!(st, 401);
}

/// True when openapi-spec-validator is importable; otherwise skips (or panics under
/// `WARDEN_REQUIRE_INTEROP=1`).
fn validator_available(python: &str) -> bool {
    let ok = Command::new(python)
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("WARDEN_REQUIRE_INTEROP").as_deref() == Ok("1") {
            panic!(
                "openapi-spec-validator is required (WARDEN_REQUIRE_INTEROP=1) but not importable"
            );
        }
        eprintln!("skipping: openapi-spec-validator not installed (pip install -r scripts/requirements-interop.txt)");
    }
    ok
}

#[test]
fn document_passes_an_independent_openapi_validator() {
    let python = std::env::var("WARDEN_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    if !validator_available(&python) {
        return;
    }
    let dir = temp_dir("openapi-validate");
    let s = Server::start(&dir.join("data"), "");
    let doc = fetch_document(&client(), &s);
    let mut child = Command::new(&python)
        .args([
            "-c",
            "import json, sys\n\
             from openapi_spec_validator import validate\n\
             from openapi_spec_validator.validation import OpenAPIV31SpecValidator\n\
             validate(json.load(sys.stdin), cls=OpenAPIV31SpecValidator)\n\
             print('valid')",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(doc.to_string().as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "valid",
        "openapi-spec-validator rejected the document:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
