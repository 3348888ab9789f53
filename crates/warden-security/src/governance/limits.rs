//! Size and depth limits on the judged input, checked before any layer runs so that no layer
//! does unbounded work (and nothing recurses without bound).

use serde_json::Value;

use super::reason::DenyReason;

/// Default for `governance.max_argument_bytes` (1 MiB).
pub const DEFAULT_MAX_ARGUMENT_BYTES: usize = 1 << 20;
/// Default for `governance.max_argument_depth`.
pub const DEFAULT_MAX_ARGUMENT_DEPTH: usize = 64;

/// Bytes charged for a value that is not a string (number, bool, null, container).
const NODE_COST: usize = 8;

/// Checks tool-call `arguments`: a JSON object (or `null`, no arguments), then
/// [`check_value`].
pub fn check_arguments(
    arguments: &Value,
    max_bytes: usize,
    max_depth: usize,
) -> Result<(), DenyReason> {
    let found = match arguments {
        Value::Object(_) | Value::Null => return check_value(arguments, max_bytes, max_depth),
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
    };
    Err(DenyReason::ArgumentsNotAnObject { found })
}

/// Checks `value` iteratively (no recursion, so hostile nesting cannot overflow the stack):
/// the nesting depth (a scalar at top level has depth 0, `{"a":1}` depth 1) and an estimate of
/// its size (string and key bytes plus a fixed cost per node). Stops at the first violation.
pub fn check_value(value: &Value, max_bytes: usize, max_depth: usize) -> Result<(), DenyReason> {
    let mut bytes: usize = 0;
    let mut stack: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((v, depth)) = stack.pop() {
        bytes = bytes.saturating_add(NODE_COST);
        match v {
            Value::String(s) => bytes = bytes.saturating_add(s.len()),
            Value::Array(items) => {
                if !items.is_empty() {
                    if depth + 1 > max_depth {
                        return Err(DenyReason::ArgumentsTooDeep { max_depth });
                    }
                    stack.extend(items.iter().map(|i| (i, depth + 1)));
                }
            }
            Value::Object(map) => {
                if !map.is_empty() {
                    if depth + 1 > max_depth {
                        return Err(DenyReason::ArgumentsTooDeep { max_depth });
                    }
                    for (k, child) in map {
                        bytes = bytes.saturating_add(k.len());
                        stack.push((child, depth + 1));
                    }
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
        if bytes > max_bytes {
            return Err(DenyReason::ArgumentsTooLarge { max_bytes });
        }
    }
    Ok(())
}

/// Checks prompt text against the byte limit.
pub fn check_text(text: &str, max_bytes: usize) -> Result<(), DenyReason> {
    if text.len() > max_bytes {
        return Err(DenyReason::ArgumentsTooLarge { max_bytes });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(depth: usize) -> Value {
        let mut v = json!("leaf");
        for _ in 0..depth {
            v = json!([v]);
        }
        v
    }

    #[test]
    fn depth_at_limit_passes_and_one_more_fails() {
        assert!(check_value(&nested(64), usize::MAX, 64).is_ok());
        assert_eq!(
            check_value(&nested(65), usize::MAX, 64),
            Err(DenyReason::ArgumentsTooDeep { max_depth: 64 })
        );
    }

    #[test]
    fn empty_containers_do_not_add_depth() {
        assert!(check_value(&json!({"a": {}}), 1000, 1).is_ok());
    }

    #[test]
    fn large_strings_exceed_the_byte_limit() {
        let v = json!({"command": "x".repeat(2000)});
        assert_eq!(
            check_value(&v, 1000, 64),
            Err(DenyReason::ArgumentsTooLarge { max_bytes: 1000 })
        );
        assert!(check_value(&v, 4000, 64).is_ok());
    }

    #[test]
    fn arguments_must_be_an_object_or_absent() {
        assert!(check_arguments(&json!({"command": "ls"}), 1000, 64).is_ok());
        assert!(check_arguments(&Value::Null, 1000, 64).is_ok());
        for (v, found) in [
            (json!("rm -rf /"), "string"),
            (json!(["rm -rf /"]), "array"),
            (json!(1), "number"),
            (json!(true), "boolean"),
        ] {
            assert_eq!(
                check_arguments(&v, 1000, 64),
                Err(DenyReason::ArgumentsNotAnObject { found }),
                "{v}"
            );
        }
        // The other limits still apply to objects.
        assert!(check_arguments(&json!({"c": "x".repeat(2000)}), 1000, 64).is_err());
    }

    #[test]
    fn prompt_text_is_limited_by_bytes() {
        assert!(check_text("abc", 3).is_ok());
        assert!(check_text("abcd", 3).is_err());
    }
}
