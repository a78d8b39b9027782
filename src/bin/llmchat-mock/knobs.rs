//! Per-request knobs: the `<knobs>` of a `/k/<knobs>/<protocol>/…` path, comma-separated
//! `key=value` pairs (`delay_ms=5,chunks=100,fault=cut:3`). An unknown key or a malformed value
//! is an error, so a typo fails the test that made it instead of silently testing nothing.

use std::time::Duration;

/// How one request should be answered. The default answers promptly with the default fixture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Knobs {
    /// The fixture stem a chat route replays (`stream_tool_calls`), instead of the default.
    pub scenario: Option<String>,
    /// The fixture stem the app routes (FastGPT `init`, Dify `parameters`) answer.
    pub app: Option<String>,
    /// Pause before every event but the first.
    pub delay: Duration,
    /// Pause before the response headers.
    pub first_delay: Duration,
    /// Generate this many text chunks instead of replaying a fixture.
    pub chunks: Option<usize>,
    /// Write the body one byte per write.
    pub bytewise: bool,
    pub faults: Faults,
    /// `Retry-After` seconds sent with a status fault.
    pub retry_after: Option<u64>,
    /// The faults apply to the first n requests carrying this exact knob string only.
    pub fail_times: Option<u32>,
    /// A free label: recorded with the request, and makes the knob string (hence its
    /// `fail_times` counter) unique to one test.
    pub tag: Option<String>,
}

/// What goes wrong. Several may be combined (`fault=stall:300@2,fault=cut:4`); a status fault
/// wins over the stream faults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Answer this 4xx/5xx status with the vendor's error body.
    pub status: Option<u16>,
    /// Drop the connection mid-body.
    pub cut: Option<Cut>,
    /// End the body cleanly after this many events (a truncated but well-formed response).
    pub end: Option<usize>,
    /// Replace the data of this event (1-based) with invalid JSON.
    pub badjson: Option<usize>,
    pub stall: Option<Stall>,
}

impl Faults {
    /// Whether a fault that only a reply body can show is set.
    pub fn touches_body(&self) -> bool {
        self.cut.is_some() || self.end.is_some() || self.badjson.is_some() || self.stall.is_some()
    }
}

/// Send `events` whole events, then `bytes` bytes of the next, then drop the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub events: usize,
    pub bytes: usize,
}

/// Send nothing for `duration` before event `before` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stall {
    pub duration: Duration,
    pub before: usize,
}

const KNOWN: &str = "scenario, app, delay_ms, first_delay_ms, chunks, bytewise, fault, \
                     retry_after, fail_times, tag";

/// Parses a knob string; the message of an error names the offending piece.
pub fn parse(segment: &str) -> Result<Knobs, String> {
    let mut knobs = Knobs::default();
    for piece in segment.split(',').filter(|p| !p.is_empty()) {
        let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
        match key {
            "scenario" => knobs.scenario = Some(name(key, value)?),
            "app" => knobs.app = Some(name(key, value)?),
            "tag" => knobs.tag = Some(name(key, value)?),
            "delay_ms" => knobs.delay = Duration::from_millis(number(key, value)?),
            "first_delay_ms" => knobs.first_delay = Duration::from_millis(number(key, value)?),
            "chunks" => knobs.chunks = Some(number(key, value)?),
            "bytewise" => knobs.bytewise = flag(key, value)?,
            "retry_after" => knobs.retry_after = Some(number(key, value)?),
            "fail_times" => knobs.fail_times = Some(number(key, value)?),
            "fault" => fault(&mut knobs.faults, value)?,
            _ => return Err(format!("unknown knob `{key}` (known: {KNOWN})")),
        }
    }
    Ok(knobs)
}

fn fault(faults: &mut Faults, value: &str) -> Result<(), String> {
    let (kind, arg) = value.split_once(':').unwrap_or((value, ""));
    match kind {
        "cut" => {
            let (events, bytes) = arg.split_once('+').unwrap_or((arg, "0"));
            faults.cut = Some(Cut {
                events: number("fault=cut", events)?,
                bytes: number("fault=cut", bytes)?,
            });
        }
        "end" => faults.end = Some(number("fault=end", arg)?),
        "badjson" => faults.badjson = Some(positive("fault=badjson", arg)?),
        "stall" => {
            let (ms, before) = arg.split_once('@').unwrap_or((arg, "1"));
            faults.stall = Some(Stall {
                duration: Duration::from_millis(number("fault=stall", ms)?),
                before: positive("fault=stall", before)?,
            });
        }
        status
            if arg.is_empty()
                && !status.is_empty()
                && status.bytes().all(|b| b.is_ascii_digit()) =>
        {
            let status: u16 = number("fault", status)?;
            if !(400..=599).contains(&status) {
                return Err(format!("fault status {status} is not a 4xx or 5xx"));
            }
            faults.status = Some(status);
        }
        _ => {
            return Err(format!(
                "unknown fault `{value}` (known: <status>, cut:N[+B], end:N, badjson:N, stall:MS[@K])"
            ));
        }
    }
    Ok(())
}

fn number<T: std::str::FromStr>(key: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("knob `{key}` wants a non-negative integer, got `{value}`"))
}

fn positive(key: &str, value: &str) -> Result<usize, String> {
    match number(key, value)? {
        0 => Err(format!("knob `{key}` counts events from 1, got 0")),
        n => Ok(n),
    }
}

fn flag(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "" | "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(format!("knob `{key}` wants 1 or 0, got `{value}`")),
    }
}

/// A fixture stem or tag: letters, digits, `_`, `-`, `.` (no path tricks, nothing to escape).
fn name(key: &str, value: &str) -> Result<String, String> {
    let valid = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if valid {
        Ok(value.to_string())
    } else {
        Err(format!(
            "knob `{key}` wants letters, digits, `_`, `-` or `.`, got `{value}`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_knob_string_means_the_defaults() {
        assert_eq!(parse("").unwrap(), Knobs::default());
        assert_eq!(parse(",,").unwrap(), Knobs::default());
    }

    #[test]
    fn every_knob_is_read() {
        let knobs = parse(
            "scenario=stream_tool_calls,app=init,delay_ms=5,first_delay_ms=70,chunks=100,\
             bytewise=1,fault=429,retry_after=3,fail_times=2,tag=retry-test.1",
        )
        .unwrap();
        assert_eq!(
            knobs,
            Knobs {
                scenario: Some("stream_tool_calls".into()),
                app: Some("init".into()),
                delay: Duration::from_millis(5),
                first_delay: Duration::from_millis(70),
                chunks: Some(100),
                bytewise: true,
                faults: Faults {
                    status: Some(429),
                    ..Faults::default()
                },
                retry_after: Some(3),
                fail_times: Some(2),
                tag: Some("retry-test.1".into()),
            }
        );
    }

    #[test]
    fn stream_faults_combine_with_their_defaults() {
        let faults = parse("fault=cut:3,fault=badjson:2,fault=stall:5000,fault=end:7")
            .unwrap()
            .faults;
        assert_eq!(
            faults.cut,
            Some(Cut {
                events: 3,
                bytes: 0
            })
        );
        assert_eq!(faults.badjson, Some(2));
        assert_eq!(
            faults.stall,
            Some(Stall {
                duration: Duration::from_secs(5),
                before: 1
            })
        );
        assert_eq!(faults.end, Some(7));
        assert!(faults.touches_body());
    }

    #[test]
    fn a_cut_may_split_an_event_and_a_stall_may_name_its_event() {
        let faults = parse("fault=cut:2+10,fault=stall:250@3").unwrap().faults;
        assert_eq!(
            faults.cut,
            Some(Cut {
                events: 2,
                bytes: 10
            })
        );
        assert_eq!(
            faults.stall,
            Some(Stall {
                duration: Duration::from_millis(250),
                before: 3
            })
        );
    }

    #[test]
    fn bytewise_alone_is_on() {
        assert!(parse("bytewise").unwrap().bytewise);
        assert!(!parse("bytewise=0").unwrap().bytewise);
    }

    #[test]
    fn mistakes_are_errors_that_name_the_piece() {
        for (knobs, expected) in [
            ("delay=5", "unknown knob `delay`"),
            (
                "delay_ms=fast",
                "`delay_ms` wants a non-negative integer, got `fast`",
            ),
            ("fault=200", "fault status 200 is not a 4xx or 5xx"),
            ("fault=teapot", "unknown fault `teapot`"),
            (
                "fault=cut",
                "`fault=cut` wants a non-negative integer, got ``",
            ),
            ("fault=badjson:0", "counts events from 1"),
            ("fault=stall:10@0", "counts events from 1"),
            ("scenario=../etc/passwd", "`scenario` wants letters"),
            ("bytewise=yes", "`bytewise` wants 1 or 0"),
        ] {
            let error = parse(knobs).unwrap_err();
            assert!(error.contains(expected), "{knobs}: {error}");
        }
    }
}
