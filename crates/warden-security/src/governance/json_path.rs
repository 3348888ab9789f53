//! Dotted JSON paths for argument rules: `command`, `edits.0.new_string`, `edits.*.new_string`.
//!
//! Segments are separated by `.`. A segment made of digits indexes an array (and also names an
//! object key spelled the same way); `*` matches every element of an array or every value of
//! an object. A leading `$.` (or a lone `$`) is accepted and ignored, so paths printed by the
//! secret scanner can be pasted in.

use serde_json::Value;

/// Why a path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The path is empty.
    #[error("empty path")]
    Empty,
    /// Two dots in a row, or a leading or trailing dot.
    #[error("empty segment in path {0:?}")]
    EmptySegment(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    /// A numeric segment: an array index, or an object key with these digits.
    Index(usize, String),
    Any,
}

/// A compiled dotted path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    source: String,
    segments: Vec<Segment>,
}

impl JsonPath {
    /// Parses a dotted path.
    pub fn parse(path: &str) -> Result<Self, PathError> {
        if path.is_empty() {
            return Err(PathError::Empty);
        }
        let body = if path == "$" {
            ""
        } else {
            path.strip_prefix("$.").unwrap_or(path)
        };
        let mut segments = Vec::new();
        if !body.is_empty() {
            for seg in body.split('.') {
                if seg.is_empty() {
                    return Err(PathError::EmptySegment(path.to_owned()));
                }
                segments.push(if seg == "*" {
                    Segment::Any
                } else if seg.bytes().all(|b| b.is_ascii_digit()) {
                    match seg.parse::<usize>() {
                        Ok(i) => Segment::Index(i, seg.to_owned()),
                        Err(_) => Segment::Key(seg.to_owned()),
                    }
                } else {
                    Segment::Key(seg.to_owned())
                });
            }
        }
        Ok(Self {
            source: path.to_owned(),
            segments,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Calls `f` on every value the path selects, stopping early when `f` returns `true`.
    /// Returns `true` when `f` did.
    pub fn find<'a>(&self, root: &'a Value, f: &mut dyn FnMut(&'a Value) -> bool) -> bool {
        walk(&self.segments, root, f)
    }
}

fn walk<'a>(segs: &[Segment], v: &'a Value, f: &mut dyn FnMut(&'a Value) -> bool) -> bool {
    let Some((head, rest)) = segs.split_first() else {
        return f(v);
    };
    match head {
        Segment::Key(k) => match v {
            Value::Object(map) => map.get(k).is_some_and(|child| walk(rest, child, f)),
            _ => false,
        },
        Segment::Index(i, k) => match v {
            Value::Array(items) => items.get(*i).is_some_and(|child| walk(rest, child, f)),
            Value::Object(map) => map.get(k).is_some_and(|child| walk(rest, child, f)),
            _ => false,
        },
        Segment::Any => match v {
            Value::Array(items) => items.iter().any(|child| walk(rest, child, f)),
            Value::Object(map) => map.values().any(|child| walk(rest, child, f)),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn strings(path: &str, v: &Value) -> Vec<String> {
        let p = JsonPath::parse(path).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        p.find(v, &mut |x| {
            out.push(x.to_string());
            false
        });
        out
    }

    #[test]
    fn key_segments_descend_objects() {
        let v = json!({"a": {"b": "x"}});
        assert_eq!(strings("a.b", &v), vec!["\"x\""]);
        assert!(strings("a.c", &v).is_empty());
    }

    #[test]
    fn numeric_segments_index_arrays_and_name_object_keys() {
        let v = json!({"edits": [{"s": "one"}, {"s": "two"}], "m": {"0": "zero"}});
        assert_eq!(strings("edits.1.s", &v), vec!["\"two\""]);
        assert!(strings("edits.2.s", &v).is_empty());
        assert_eq!(strings("m.0", &v), vec!["\"zero\""]);
    }

    #[test]
    fn star_visits_every_child() {
        let v = json!({"edits": [{"s": "one"}, {"s": "two"}]});
        assert_eq!(strings("edits.*.s", &v), vec!["\"one\"", "\"two\""]);
    }

    #[test]
    fn dollar_prefix_is_ignored() {
        let v = json!({"command": "ls"});
        assert_eq!(strings("$.command", &v), vec!["\"ls\""]);
        assert_eq!(strings("$", &v).len(), 1);
    }

    #[test]
    fn paths_into_scalars_select_nothing() {
        assert!(strings("a.b", &json!({"a": "s"})).is_empty());
    }

    #[test]
    fn malformed_paths_are_errors() {
        assert_eq!(JsonPath::parse(""), Err(PathError::Empty));
        assert_eq!(
            JsonPath::parse("a..b").err().map(|e| e.to_string()),
            Some("empty segment in path \"a..b\"".to_owned())
        );
        assert!(JsonPath::parse(".a").is_err());
        assert!(JsonPath::parse("a.").is_err());
    }
}
