//! Server-Sent Events: an incremental parser for upstream streams and an encoder for the
//! events the gateway re-emits (WHATWG HTML §9.2 event-stream format).

use bytes::{Bytes, BytesMut};

/// One event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// `event:` field, when given.
    pub event: Option<String>,
    /// `data:` lines joined with `\n`.
    pub data: String,
    /// `id:` field, when given.
    pub id: Option<String>,
    /// `retry:` field, when given and numeric.
    pub retry: Option<u64>,
}

impl SseEvent {
    /// A `message` event with the given data.
    pub fn message(data: String) -> Self {
        Self {
            data,
            ..Self::default()
        }
    }

    /// Encodes the event; multi-line data becomes several `data:` lines. Field values never
    /// contain a line break (the parser splits on them), so the encoding round-trips.
    pub fn encode(&self) -> Bytes {
        let mut out = String::with_capacity(self.data.len() + 32);
        if let Some(id) = &self.id {
            push_field(&mut out, "id", id);
        }
        if let Some(event) = &self.event {
            push_field(&mut out, "event", event);
        }
        if let Some(retry) = self.retry {
            out.push_str("retry: ");
            out.push_str(&retry.to_string());
            out.push('\n');
        }
        for line in self.data.split('\n') {
            push_field(&mut out, "data", line.trim_end_matches('\r'));
        }
        out.push('\n');
        Bytes::from(out)
    }

    /// True for an event that carries nothing (e.g. only a `retry:` hint or an id).
    pub fn has_no_data(&self) -> bool {
        self.data.is_empty()
    }
}

fn push_field(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    // A value with a bare CR or LF would split the field; the parser never produces one.
    for c in value.chars() {
        if c != '\n' && c != '\r' {
            out.push(c);
        }
    }
    out.push('\n');
}

/// An event stream exceeded the configured bound.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an SSE event is larger than {limit} bytes")]
pub struct SseTooLarge {
    /// The bound.
    pub limit: usize,
}

/// Incremental parser: feed chunks, collect complete events.
#[derive(Debug)]
pub struct SseParser {
    buf: BytesMut,
    current: SseEvent,
    has_fields: bool,
    limit: usize,
    pending_size: usize,
    data_lines: usize,
    bom_checked: bool,
}

impl SseParser {
    /// A parser bounding one event (and one line) to `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            buf: BytesMut::new(),
            current: SseEvent::default(),
            has_fields: false,
            limit,
            pending_size: 0,
            data_lines: 0,
            bom_checked: false,
        }
    }

    /// Feeds a chunk; complete events are appended to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseTooLarge> {
        self.buf.extend_from_slice(chunk);
        if !self.bom_checked {
            if self.buf.len() < 3 && b"\xEF\xBB\xBF".starts_with(&self.buf) {
                return Ok(());
            }
            if self.buf.starts_with(b"\xEF\xBB\xBF") {
                let _ = self.buf.split_to(3);
            }
            self.bom_checked = true;
        }
        while let Some(pos) = self.buf.iter().position(|&b| b == b'\n' || b == b'\r') {
            // A CR at the very end may be the first half of CRLF: wait for more input.
            if self.buf[pos] == b'\r' && pos + 1 == self.buf.len() {
                break;
            }
            let line = self.buf.split_to(pos);
            let terminator = if self.buf.starts_with(b"\r\n") { 2 } else { 1 };
            let _ = self.buf.split_to(terminator);
            self.line(&line, out)?;
        }
        if self.buf.len() > self.limit {
            return Err(SseTooLarge { limit: self.limit });
        }
        Ok(())
    }

    /// Ends the stream; an unterminated trailing event is discarded, as the format requires.
    pub fn finish(self) {}

    fn line(&mut self, line: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseTooLarge> {
        if line.is_empty() {
            if self.has_fields {
                let event = std::mem::take(&mut self.current);
                out.push(event);
            }
            self.has_fields = false;
            self.pending_size = 0;
            self.data_lines = 0;
            return Ok(());
        }
        self.pending_size += line.len();
        if self.pending_size > self.limit {
            return Err(SseTooLarge { limit: self.limit });
        }
        if line[0] == b':' {
            return Ok(()); // comment
        }
        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (text.as_ref(), ""),
        };
        match field {
            "data" => {
                if self.has_data() {
                    self.current.data.push('\n');
                }
                self.current.data.push_str(value);
                self.mark_data();
            }
            "event" => {
                self.current.event = Some(value.to_string());
                self.has_fields = true;
            }
            "id" if !value.contains('\0') => {
                self.current.id = Some(value.to_string());
                self.has_fields = true;
            }
            "retry" => {
                if let Ok(ms) = value.parse::<u64>() {
                    self.current.retry = Some(ms);
                    self.has_fields = true;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn has_data(&self) -> bool {
        self.data_lines > 0
    }

    /// Records that a `data:` line was seen (an empty one still counts).
    fn mark_data(&mut self) {
        self.has_fields = true;
        self.data_lines += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse_all(input: &[u8], chunk: usize) -> Vec<SseEvent> {
        let mut p = SseParser::new(1 << 20);
        let mut out = Vec::new();
        for c in input.chunks(chunk.max(1)) {
            p.feed(c, &mut out).unwrap();
        }
        out
    }

    #[test]
    fn parses_events_with_fields_and_comments() {
        let input = b": hello\nevent: message\nid: 7\ndata: {\"a\":1}\n\ndata: x\ndata: y\n\n";
        let events = parse_all(input, 1000);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].event.as_deref(), Some("message"));
        assert_eq!(events[0].id.as_deref(), Some("7"));
        assert_eq!(events[0].data, "{\"a\":1}");
        assert_eq!(events[1].data, "x\ny");
    }

    #[test]
    fn handles_crlf_split_across_chunks() {
        let input = b"data: a\r\n\r\ndata: b\r\r\n";
        for chunk in 1..input.len() {
            let events = parse_all(input, chunk);
            assert_eq!(
                events.iter().map(|e| e.data.as_str()).collect::<Vec<_>>(),
                ["a", "b"],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn unterminated_event_is_not_emitted() {
        assert!(parse_all(b"data: a\n", 3).is_empty());
    }

    #[test]
    fn rejects_oversized_event() {
        let mut p = SseParser::new(16);
        let mut out = Vec::new();
        let r = p.feed(b"data: 0123456789\ndata: 0123456789\n", &mut out);
        assert_eq!(r, Err(SseTooLarge { limit: 16 }));
    }

    #[test]
    fn rejects_oversized_line_without_terminator() {
        let mut p = SseParser::new(16);
        let mut out = Vec::new();
        assert!(p.feed(&[b'a'; 40], &mut out).is_err());
    }

    #[test]
    fn encode_round_trips() {
        let e = SseEvent {
            event: Some("message".into()),
            data: "l1\nl2".into(),
            id: Some("9".into()),
            retry: Some(100),
        };
        let events = parse_all(&e.encode(), 4);
        assert_eq!(events, vec![e]);
    }

    proptest! {
        #[test]
        fn parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), chunk in 1usize..64) {
            let mut p = SseParser::new(128);
            let mut out = Vec::new();
            for c in bytes.chunks(chunk) {
                if p.feed(c, &mut out).is_err() { break; }
            }
            for e in &out { let _ = e.encode(); }
        }
    }
}
