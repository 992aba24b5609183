//! Reading a trace written by `gamesa record`: an NDJSON file whose first line is a header
//! `{"format":"gamesa-trace","version":1,…}` and whose every other line is one telemetry
//! snapshot `{"timestampMs":…,"values":{name: number},"absent":{…},"sources":{…}}`.

use serde::Deserialize;
use serde::de::IgnoredAny;
use std::collections::BTreeMap;

/// The trace format name in the header.
pub const TRACE_FORMAT: &str = "gamesa-trace";
/// The trace format version this reader understands.
pub const TRACE_VERSION: u64 = 1;

/// The header line (fields this reader does not need are ignored).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceHeader {
    pub format: String,
    pub version: u64,
    #[serde(default)]
    pub rate_hz: Option<f64>,
    #[serde(default)]
    pub started_at_ms: Option<f64>,
}

/// One snapshot line: its time and the values that were read. `absent` and `sources` are
/// only checked to be present (they explain absences; the engine needs only the values).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceLine {
    pub timestamp_ms: f64,
    /// A variable given twice is an error: which reading was meant is a guess.
    #[serde(deserialize_with = "unique_values")]
    pub values: BTreeMap<String, f64>,
    #[serde(default)]
    pub absent: Option<IgnoredAny>,
    #[serde(default)]
    pub sources: Option<IgnoredAny>,
}

/// `values`, refusing a name that occurs twice (serde's map would keep the last silently).
fn unique_values<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, f64>, D::Error> {
    struct Values;
    impl<'de> serde::de::Visitor<'de> for Values {
        type Value = BTreeMap<String, f64>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of numbers")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(name) = map.next_key::<String>()? {
                let x: f64 = map.next_value()?;
                if out.insert(name.clone(), x).is_some() {
                    return Err(serde::de::Error::custom(format_args!(
                        "values.{name} is given twice"
                    )));
                }
            }
            Ok(out)
        }
    }
    d.deserialize_map(Values)
}

/// Parses the header line; the message says what is wrong.
pub fn parse_header(line: &str) -> Result<TraceHeader, String> {
    let header: TraceHeader = serde_json::from_str(line).map_err(|e| {
        format!("not a trace header (expected {{\"format\":\"{TRACE_FORMAT}\",\"version\":{TRACE_VERSION},…}}): {e}")
    })?;
    if header.format != TRACE_FORMAT {
        return Err(format!(
            "format is \"{}\", expected \"{TRACE_FORMAT}\"",
            header.format
        ));
    }
    if header.version != TRACE_VERSION {
        return Err(format!(
            "trace version {} is not supported (this build reads version {TRACE_VERSION})",
            header.version
        ));
    }
    Ok(header)
}

/// Parses one snapshot line; the message says what is wrong (with the column).
pub fn parse_line(line: &str) -> Result<TraceLine, String> {
    let parsed: TraceLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
    if !parsed.timestamp_ms.is_finite() {
        return Err(format!("timestampMs {} is not finite", parsed.timestamp_ms));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_given_twice_is_an_error() {
        let e = parse_line(r#"{"timestampMs":1,"values":{"cpu.util":0.5,"cpu.util":0.9}}"#)
            .unwrap_err();
        assert!(e.contains("values.cpu.util is given twice"), "{e}");
        let ok =
            parse_line(r#"{"timestampMs":1,"values":{"cpu.util":0.5,"gpu0.util":0.9}}"#).unwrap();
        assert_eq!(ok.values.len(), 2);
    }

    #[test]
    fn header_and_lines() {
        assert!(parse_header(r#"{"format":"gamesa-trace","version":1,"rateHz":10}"#).is_ok());
        assert!(
            parse_header(r#"{"format":"other","version":1}"#)
                .unwrap_err()
                .contains("expected \"gamesa-trace\"")
        );
        assert!(
            parse_header(r#"{"format":"gamesa-trace","version":2}"#)
                .unwrap_err()
                .contains("version 2")
        );
        let l =
            parse_line(r#"{"timestampMs":5,"values":{"cpu.util":0.5},"absent":{},"sources":{}}"#)
                .unwrap();
        assert_eq!(l.values["cpu.util"], 0.5);
        assert!(
            parse_line(r#"{"timestampMs":5,"values":{"cpu.util":"x"}}"#)
                .unwrap_err()
                .contains("column")
        );
        assert!(
            parse_line(r#"{"values":{}}"#)
                .unwrap_err()
                .contains("timestampMs")
        );
    }
}
