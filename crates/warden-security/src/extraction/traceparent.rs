//! W3C Trace Context `traceparent` (version 00): `00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>`.

/// The trace-id of a valid `traceparent` value (lowercase hex, not all zeros), else `None`.
///
/// Per the W3C spec, version `ff` is invalid; a higher known version may carry extra fields
/// after the flags, which are ignored.
pub fn parse_traceparent(value: &[u8]) -> Option<&str> {
    if value.len() < 55 {
        return None;
    }
    let version = &value[0..2];
    if !is_lower_hex(version) || version == b"ff" {
        return None;
    }
    if version == b"00" && value.len() != 55 {
        return None;
    }
    if value.len() > 55 && value[55] != b'-' {
        return None;
    }
    if value[2] != b'-' || value[35] != b'-' || value[52] != b'-' {
        return None;
    }
    let trace_id = &value[3..35];
    let parent_id = &value[36..52];
    let flags = &value[53..55];
    if !is_lower_hex(trace_id) || !is_lower_hex(parent_id) || !is_lower_hex(flags) {
        return None;
    }
    if trace_id.iter().all(|&b| b == b'0') || parent_id.iter().all(|&b| b == b'0') {
        return None;
    }
    std::str::from_utf8(trace_id).ok()
}

/// Builds a `traceparent` for `trace_id` when it can be expressed as a W3C trace-id (32 hex
/// digits, or a hyphenated UUID). `parent_id` is 8 bytes identifying this hop.
pub fn to_traceparent(trace_id: &str, parent_id: [u8; 8]) -> Option<String> {
    let hex: String = trace_id
        .chars()
        .filter(|&c| c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    let uuid_shaped = trace_id.len() == 36 && trace_id.bytes().filter(|&b| b == b'-').count() == 4;
    if hex.len() != 32 || !(trace_id.len() == 32 || uuid_shaped) || !is_lower_hex(hex.as_bytes()) {
        return None;
    }
    if hex.bytes().all(|b| b == b'0') {
        return None;
    }
    let mut parent = String::with_capacity(16);
    for b in parent_id {
        parent.push_str(&format!("{b:02x}"));
    }
    if parent.bytes().all(|b| b == b'0') {
        parent.replace_range(15..16, "1");
    }
    Some(format!("00-{hex}-{parent}-01"))
}

fn is_lower_hex(s: &[u8]) -> bool {
    s.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &[u8] = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn parses_the_w3c_example() {
        assert_eq!(
            parse_traceparent(VALID),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
    }

    #[test]
    fn rejects_invalid_traceparents() {
        assert_eq!(
            parse_traceparent(b"00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
            None
        );
        assert_eq!(
            parse_traceparent(b"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
            None
        );
        assert_eq!(
            parse_traceparent(b"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            None
        );
        assert_eq!(
            parse_traceparent(b"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
            None
        );
        assert_eq!(
            parse_traceparent(b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"),
            None
        );
        assert_eq!(parse_traceparent(b"garbage"), None);
    }

    #[test]
    fn future_versions_may_carry_extra_fields() {
        assert_eq!(
            parse_traceparent(b"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz"),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
    }

    #[test]
    fn builds_from_uuid_or_hex_trace_ids() {
        let tp = to_traceparent(
            "4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
            [0, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7],
        );
        assert_eq!(
            tp.as_deref(),
            Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        );
        assert!(to_traceparent("test-trace", [1; 8]).is_none());
        assert!(to_traceparent("00000000000000000000000000000000", [1; 8]).is_none());
    }
}
