//! The host of a series: its `instance`, `host`, `hostname` or `pod` label (the first
//! present, in that order), with `instance`'s `:port` stripped (`10.0.0.7:9100` →
//! `10.0.0.7`, `[::1]:9100` → `::1`), then `--host-map FROM=TO` (matched against the
//! label value as it is, then without its port). A series with none of those labels
//! (`sum(…)` over everything) belongs to the host [`NO_HOST`].

use std::collections::BTreeMap;

/// Labels that name a host, in order of preference.
pub const HOST_LABELS: [&str; 4] = ["instance", "host", "hostname", "pod"];
/// The host of a series without any host label.
pub const NO_HOST: &str = "all";

/// `--host-map` pairs: Prometheus's name for a host → the name the logs use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostMap {
    pairs: Vec<(String, String)>,
}

impl HostMap {
    /// From `FROM=TO` specs; a later spec for the same FROM wins.
    pub fn parse<S: AsRef<str>>(specs: &[S]) -> Result<HostMap, String> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for spec in specs {
            let spec = spec.as_ref();
            let (from, to) = spec
                .split_once('=')
                .map(|(a, b)| (a.trim(), b.trim()))
                .filter(|(a, b)| !a.is_empty() && !b.is_empty())
                .ok_or_else(|| {
                    format!("--host-map {spec:?}: want FROM=TO, e.g. 10.0.0.7:9100=web-1 or 10.0.0.7=web-1")
                })?;
            pairs.retain(|(f, _)| f != from);
            pairs.push((from.to_string(), to.to_string()));
        }
        Ok(HostMap { pairs })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(f, _)| f == name).map(|(_, t)| t.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// `host:port` → `host`, `[v6]:port` → `v6`; anything else unchanged (a bare IPv6
/// address keeps its colons).
pub fn strip_port(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix('[') {
        if let Some((addr, _)) = rest.split_once(']') {
            return addr;
        }
        return s;
    }
    match s.rsplit_once(':') {
        Some((host, port))
            if !host.is_empty()
                && !host.contains(':')
                && !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            host
        }
        _ => s,
    }
}

/// The host of a series and the label it was read from (`None` for [`NO_HOST`]).
pub fn host_of(labels: &BTreeMap<String, String>, map: &HostMap) -> (String, Option<&'static str>) {
    for label in HOST_LABELS {
        if let Some(v) = labels.get(label).filter(|v| !v.is_empty()) {
            let bare = strip_port(v);
            let host = map.get(v).or_else(|| map.get(bare)).unwrap_or(bare);
            return (host.to_string(), Some(label));
        }
    }
    (map.get(NO_HOST).unwrap_or(NO_HOST).to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn ports_are_stripped() {
        assert_eq!(strip_port("10.0.0.7:9100"), "10.0.0.7");
        assert_eq!(strip_port("web-1:9100"), "web-1");
        assert_eq!(strip_port("web-1"), "web-1");
        assert_eq!(strip_port("[::1]:9100"), "::1");
        assert_eq!(strip_port("fe80::1"), "fe80::1");
        assert_eq!(strip_port("web-1:metrics"), "web-1:metrics");
        assert_eq!(strip_port(":9100"), ":9100");
    }

    #[test]
    fn host_labels_in_order_with_the_map_on_top() {
        let none = HostMap::default();
        assert_eq!(
            host_of(&labels(&[("instance", "10.0.0.7:9100"), ("job", "node")]), &none),
            ("10.0.0.7".into(), Some("instance"))
        );
        assert_eq!(
            host_of(&labels(&[("hostname", "db-1"), ("pod", "cart-7d9")]), &none),
            ("db-1".into(), Some("hostname"))
        );
        assert_eq!(
            host_of(&labels(&[("pod", "cart-7d9"), ("namespace", "shop")]), &none),
            ("cart-7d9".into(), Some("pod"))
        );
        assert_eq!(host_of(&labels(&[("job", "api")]), &none), ("all".into(), None));
        assert_eq!(host_of(&labels(&[("instance", "")]), &none), ("all".into(), None));

        let map = HostMap::parse(&["127.0.0.1=pay-node-3", "10.0.0.7:9100=web-1", "all=cluster"]).unwrap();
        assert_eq!(
            host_of(&labels(&[("instance", "127.0.0.1:9100")]), &map).0,
            "pay-node-3"
        );
        assert_eq!(host_of(&labels(&[("instance", "10.0.0.7:9100")]), &map).0, "web-1");
        // Only the exact `host:port` was mapped for 10.0.0.7.
        assert_eq!(host_of(&labels(&[("instance", "10.0.0.7:9200")]), &map).0, "10.0.0.7");
        assert_eq!(host_of(&labels(&[]), &map).0, "cluster");
    }

    #[test]
    fn host_map_specs() {
        let m = HostMap::parse(&["a=b", "a=c"]).unwrap();
        assert_eq!(m.get("a"), Some("c"));
        assert!(HostMap::parse(&["a"]).is_err());
        assert!(HostMap::parse(&["=b"]).is_err());
        assert!(HostMap::parse(&["a="]).unwrap_err().contains("want FROM=TO"));
        assert!(HostMap::parse::<&str>(&[]).unwrap().is_empty());
    }
}
