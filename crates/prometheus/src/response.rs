//! Parsing Prometheus's HTTP API answers (`/api/v1/query_range`, `/api/v1/query`).
//!
//! `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},
//! "values":[[1795372946.123,"1.9045"],…]}]}}`. Times are seconds as JSON numbers
//! (millisecond precision); values are JSON strings, `"NaN"`, `"+Inf"` and `"-Inf"`
//! included: those (and anything unreadable) are skipped and counted. Errors come as
//! `{"status":"error","errorType":"bad_data","error":"…"}` with a 4xx/5xx status.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{one_line, PromError};

/// One answered series: its labels and its finite points `(ns since the epoch, value)`.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSeries {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(i64, f64)>,
}

/// A successful answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answer {
    pub series: Vec<RawSeries>,
    /// Prometheus's own `warnings` (e.g. a partial answer).
    pub warnings: Vec<String>,
    /// Points dropped: non-finite (`NaN`, `±Inf`) or unreadable values.
    pub skipped: u64,
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
    #[serde(default)]
    value: Option<(f64, String)>,
}

/// Seconds (JSON number) → nanoseconds, at Prometheus's millisecond precision.
fn time_ns(secs: f64) -> i64 {
    (secs * 1000.0).round() as i64 * 1_000_000
}

fn value(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

fn points(pairs: impl IntoIterator<Item = (f64, String)>, skipped: &mut u64) -> Vec<(i64, f64)> {
    let mut out = Vec::new();
    for (t, v) in pairs {
        match value(&v) {
            Some(v) if t.is_finite() => out.push((time_ns(t), v)),
            _ => *skipped += 1,
        }
    }
    out
}

/// Reads one answer. `status` is the HTTP status, `url` the server (for messages).
pub fn parse_response(url: &str, status: u16, body: &[u8]) -> Result<Answer, PromError> {
    let env: Envelope = match serde_json::from_slice(body) {
        Ok(e) => e,
        Err(e) => {
            let text = String::from_utf8_lossy(body);
            return Err(if (200..300).contains(&status) {
                PromError::Parse {
                    url: url.to_string(),
                    reason: format!("not Prometheus JSON ({e}): {}", one_line(&text, 120)),
                }
            } else {
                PromError::Http {
                    url: url.to_string(),
                    status,
                    body: one_line(&text, 200),
                }
            });
        }
    };
    if env.status != "success" {
        return Err(PromError::Api {
            url: url.to_string(),
            error_type: env.error_type.unwrap_or_else(|| format!("status {}", env.status)),
            error: one_line(env.error.as_deref().unwrap_or("no error message"), 300),
        });
    }
    if !(200..300).contains(&status) {
        return Err(PromError::Http {
            url: url.to_string(),
            status,
            body: one_line(&String::from_utf8_lossy(body), 200),
        });
    }
    let Some(data) = env.data else {
        return Err(PromError::Parse {
            url: url.to_string(),
            reason: "success without data".into(),
        });
    };
    let bad = |e: serde_json::Error| PromError::Parse {
        url: url.to_string(),
        reason: format!("{} result: {e}", data.result_type),
    };
    let mut answer = Answer {
        warnings: env.warnings,
        ..Answer::default()
    };
    match data.result_type.as_str() {
        "matrix" | "vector" => {
            let items: Vec<Item> = serde_json::from_value(data.result.clone()).map_err(bad)?;
            for item in items {
                let pairs = item.values.into_iter().chain(item.value);
                let points = points(pairs, &mut answer.skipped);
                if !points.is_empty() {
                    answer.series.push(RawSeries {
                        labels: item.metric,
                        points,
                    });
                }
            }
        }
        "scalar" => {
            let pair: (f64, String) = serde_json::from_value(data.result.clone()).map_err(bad)?;
            let points = points([pair], &mut answer.skipped);
            if !points.is_empty() {
                answer.series.push(RawSeries {
                    labels: BTreeMap::new(),
                    points,
                });
            }
        }
        other => {
            return Err(PromError::Parse {
                url: url.to_string(),
                reason: format!("a {other} result is not a number series"),
            });
        }
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:9090";
    const S: i64 = 1_000_000_000;

    #[test]
    fn reads_a_matrix_with_string_values() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"instance":"127.0.0.1:9100","job":"node"},"values":[[1795372946,"1.9045"],[1795372951.5,"2"],[1795372956.123,"1e-3"]]},
            {"metric":{"instance":"web-2:9100"},"values":[[1795372946,"0"]]}]}}"#;
        let a = parse_response(URL, 200, body).unwrap();
        assert_eq!(a.series.len(), 2);
        assert_eq!(a.series[0].labels["instance"], "127.0.0.1:9100");
        assert_eq!(a.series[0].labels["job"], "node");
        assert_eq!(
            a.series[0].points,
            vec![
                (1795372946 * S, 1.9045),
                (1795372951 * S + S / 2, 2.0),
                (1795372956 * S + 123_000_000, 0.001)
            ]
        );
        assert_eq!(a.series[1].points, vec![(1795372946 * S, 0.0)]);
        assert_eq!(a.skipped, 0);
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn skips_nan_and_infinities() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"pod":"cart-7d9"},"values":[[10,"NaN"],[15,"+Inf"],[20,"-Inf"],[25,"3.5"],[30,"oops"]]},
            {"metric":{"pod":"cart-8x1"},"values":[[10,"NaN"]]}]},"warnings":["partial answer"]}"#;
        let a = parse_response(URL, 200, body).unwrap();
        // The all-NaN series is dropped; five points skipped in all.
        assert_eq!(a.series.len(), 1);
        assert_eq!(a.series[0].points, vec![(25 * S, 3.5)]);
        assert_eq!(a.skipped, 5);
        assert_eq!(a.warnings, vec!["partial answer"]);
    }

    #[test]
    fn reads_vectors_and_scalars() {
        let v = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a:1"},"value":[100.25,"1"]}]}}"#;
        let a = parse_response(URL, 200, v).unwrap();
        assert_eq!(a.series[0].points, vec![(100 * S + S / 4, 1.0)]);
        let s = br#"{"status":"success","data":{"resultType":"scalar","result":[100,"42"]}}"#;
        let a = parse_response(URL, 200, s).unwrap();
        assert!(a.series[0].labels.is_empty());
        assert_eq!(a.series[0].points, vec![(100 * S, 42.0)]);
        let empty = br#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
        assert!(parse_response(URL, 200, empty).unwrap().series.is_empty());
    }

    #[test]
    fn errors_say_what_went_wrong() {
        let bad = br#"{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"}"#;
        let e = parse_response(URL, 400, bad).unwrap_err();
        assert!(matches!(e, PromError::Api { .. }));
        assert_eq!(
            e.to_string(),
            "http://127.0.0.1:9090: Prometheus error (bad_data): exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
        );
        assert!(!e.server_unusable());
        // Not JSON at all: a proxy's HTML page.
        let e = parse_response(URL, 502, b"<html><body>\n<h1>502 Bad Gateway</h1>\n</body></html>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "http://127.0.0.1:9090: HTTP 502: <html><body> <h1>502 Bad Gateway</h1> </body></html>"
        );
        // 200 but not Prometheus.
        let e = parse_response(URL, 200, b"hello").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("http://127.0.0.1:9090: unreadable answer: not Prometheus JSON"),
            "{e}"
        );
        // A string result is no series.
        let e = parse_response(
            URL,
            200,
            br#"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("string result"), "{e}");
        // Matrix of the wrong shape.
        let e = parse_response(
            URL,
            200,
            br#"{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1]]}]}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("matrix result"), "{e}");
    }
}
