//! Key names: printable display, roll-up patterns (`promo:strategy:*`), glob matching,
//! and which arguments of a command are keys (for MONITOR lines and slow-log entries).

/// Longest key name kept or shown, in bytes; longer names are cut with their length noted.
pub const MAX_KEY_SHOWN: usize = 256;

/// A key as text: printable ASCII as is, `"` and `\` escaped, other bytes as `\xNN`
/// (redis-cli's quoting), cut after [`MAX_KEY_SHOWN`] bytes.
pub fn display_key(key: &[u8]) -> String {
    let shown = &key[..key.len().min(MAX_KEY_SHOWN)];
    let mut out = String::with_capacity(shown.len() + 8);
    // Valid UTF-8 text is kept readable; only control characters are escaped.
    match std::str::from_utf8(shown) {
        Ok(s) => {
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32 & 0xff)),
                    c => out.push(c),
                }
            }
        }
        Err(_) => {
            for &b in shown {
                match b {
                    b'\\' => out.push_str("\\\\"),
                    b'"' => out.push_str("\\\""),
                    0x20..=0x7e => out.push(b as char),
                    _ => out.push_str(&format!("\\x{b:02x}")),
                }
            }
        }
    }
    if key.len() > shown.len() {
        out.push_str(&format!("…({} bytes)", key.len()));
    }
    out
}

fn is_separator(b: u8) -> bool {
    matches!(b, b':' | b'/' | b'|')
}

/// The roll-up pattern of a key: segments (split on `:`, `/`, `|`) that look like ids
/// (all hex digits/dashes with at least one digit, e.g. numbers, UUIDs, dates) become
/// `*`, digit runs inside words become `*` (`shard12` → `shard*`); when nothing was
/// replaced, the last segment becomes `*` (`promo:strategy:spring` → `promo:strategy:*`).
/// A key with no separator and no digit is its own pattern.
pub fn key_pattern(key: &[u8]) -> Vec<u8> {
    let key = &key[..key.len().min(MAX_KEY_SHOWN)];
    let mut out = Vec::with_capacity(key.len());
    let mut replaced = false;
    let mut last_segment_start = 0;
    let mut segment_start = 0;
    for end in 0..=key.len() {
        if end < key.len() && !is_separator(key[end]) {
            continue;
        }
        let segment = &key[segment_start..end];
        last_segment_start = out.len();
        if !segment.iter().any(u8::is_ascii_digit) {
            out.extend_from_slice(segment);
        } else if segment
            .iter()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b'-' | b'_' | b'.'))
        {
            out.push(b'*');
            replaced = true;
        } else {
            // Digit runs inside a word: `shard12` → `shard*`, `v2x` → `v*x`.
            let mut in_digits = false;
            for &b in segment {
                if b.is_ascii_digit() {
                    if !in_digits {
                        out.push(b'*');
                    }
                    in_digits = true;
                } else {
                    out.push(b);
                    in_digits = false;
                }
            }
            replaced = true;
        }
        if end < key.len() {
            out.push(key[end]);
        }
        segment_start = end + 1;
    }
    if !replaced && last_segment_start > 0 {
        out.truncate(last_segment_start);
        out.push(b'*');
    }
    out
}

/// Redis glob matching (`*`, `?`, `[abc]`, `[^a-z]`, `\x`), as `SCAN MATCH` does it;
/// used to apply `--match` to keys seen by MONITOR and in the slow log.
pub fn glob_match(pattern: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    // Backtracking point for the last `*`: (pattern index after it, string index).
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    star = Some((p + 1, i));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    i += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class_match(pattern, p, s[i]) {
                        if matched {
                            p = next;
                            i += 1;
                            continue;
                        }
                    }
                }
                b'\\' if p + 1 < pattern.len() => {
                    if pattern[p + 1] == s[i] {
                        p += 2;
                        i += 1;
                        continue;
                    }
                }
                c => {
                    if c == s[i] {
                        p += 1;
                        i += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, si)) => {
                p = sp;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches `c` against the class starting at `pattern[p] == '['`; returns whether it
/// matched and the index after `]`, or `None` for an unterminated class.
fn class_match(pattern: &[u8], p: usize, c: u8) -> Option<(bool, usize)> {
    let mut j = p + 1;
    let negate = pattern.get(j) == Some(&b'^');
    if negate {
        j += 1;
    }
    let mut matched = false;
    while j < pattern.len() && pattern[j] != b']' {
        if pattern[j] == b'\\' && j + 1 < pattern.len() {
            matched |= pattern[j + 1] == c;
            j += 2;
        } else if j + 2 < pattern.len() && pattern[j + 1] == b'-' && pattern[j + 2] != b']' {
            let (lo, hi) = (pattern[j].min(pattern[j + 2]), pattern[j].max(pattern[j + 2]));
            matched |= (lo..=hi).contains(&c);
            j += 3;
        } else {
            matched |= pattern[j] == c;
            j += 1;
        }
    }
    if j >= pattern.len() {
        return None;
    }
    Some((matched != negate, j + 1))
}

/// How a command uses the value of its keys, for the hot-key byte estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Returns the whole value (`GET`, `HGETALL`, `SMEMBERS`, `LRANGE k 0 -1`): bytes sent ≈ value size.
    FullRead,
    /// Returns part of the value (`HGET`, `LINDEX`, `ZSCORE`, a bounded `LRANGE`).
    PartialRead,
    /// Changes the value.
    Write,
    /// Touches the key but returns no value data (`EXISTS`, `TTL`, `HLEN`).
    Meta,
}

/// Which arguments are keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyArgs {
    First,
    All,
    /// `MSET k v k v`.
    EveryOther,
    /// `EVAL script numkeys k…`: keys follow the count at argument 2.
    Counted,
}

/// Key positions and access kind of a command (lower-case name), for the commands that
/// matter for hot keys; `None` for commands without keys or not classified.
pub fn command_keys(cmd: &str, args: &[&[u8]]) -> Option<(KeyArgs, Access)> {
    use Access::*;
    use KeyArgs::*;
    let whole_range = || args.len() >= 3 && args[1] == b"0" && args[2] == b"-1";
    Some(match cmd {
        "get" | "getex" | "getdel" | "getset" | "hgetall" | "hvals" | "hkeys" | "smembers" | "dump" => {
            (First, FullRead)
        }
        "mget" => (All, FullRead),
        "sinter" | "sunion" | "sdiff" => (All, FullRead),
        "lrange" | "zrange" | "zrevrange" if whole_range() => (First, FullRead),
        "lrange"
        | "zrange"
        | "zrevrange"
        | "zrangebyscore"
        | "zrevrangebyscore"
        | "zrangebylex"
        | "zrevrangebylex"
        | "getrange"
        | "substr"
        | "hget"
        | "hmget"
        | "hrandfield"
        | "lindex"
        | "lpos"
        | "zscore"
        | "zmscore"
        | "zrank"
        | "zrevrank"
        | "sismember"
        | "smismember"
        | "srandmember"
        | "sscan"
        | "hscan"
        | "zscan"
        | "xrange"
        | "xrevrange"
        | "getbit"
        | "bitcount"
        | "bitpos"
        | "bitfield_ro"
        | "geopos"
        | "geodist"
        | "geosearch"
        | "georadius_ro"
        | "georadiusbymember_ro"
        | "hstrlen"
        | "lcs"
        | "sort"
        | "sort_ro"
        | "zrandmember" => (First, PartialRead),
        "set" | "setex" | "psetex" | "setnx" | "append" | "incr" | "incrby" | "incrbyfloat" | "decr" | "decrby"
        | "setrange" | "setbit" | "bitfield" | "hset" | "hsetnx" | "hmset" | "hdel" | "hincrby" | "hincrbyfloat"
        | "lpush" | "rpush" | "lpushx" | "rpushx" | "lpop" | "rpop" | "lset" | "ltrim" | "lrem" | "linsert"
        | "sadd" | "srem" | "spop" | "smove" | "zadd" | "zincrby" | "zrem" | "zpopmin" | "zpopmax"
        | "zremrangebyscore" | "zremrangebyrank" | "zremrangebylex" | "xadd" | "xdel" | "xtrim" | "expire"
        | "pexpire" | "expireat" | "pexpireat" | "persist" | "rename" | "renamenx" | "pfadd" | "geoadd" | "lmove"
        | "rpoplpush" | "copy" | "restore" => (First, Write),
        "del" | "unlink" => (All, Write),
        "mset" | "msetnx" => (EveryOther, Write),
        "exists" | "touch" | "watch" => (All, Meta),
        "type" | "ttl" | "pttl" | "expiretime" | "pexpiretime" | "strlen" | "llen" | "hlen" | "scard" | "zcard"
        | "zcount" | "zlexcount" | "xlen" | "hexists" | "pfcount" | "object" | "memory" => (First, Meta),
        "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" => (Counted, Meta),
        _ => return None,
    })
}

/// The key arguments of `args` (the arguments after the command name).
pub fn keys_of<'a>(spec: KeyArgs, args: &[&'a [u8]]) -> Vec<&'a [u8]> {
    match spec {
        KeyArgs::First => args.first().copied().into_iter().collect(),
        KeyArgs::All => args.to_vec(),
        KeyArgs::EveryOther => args.iter().step_by(2).copied().collect(),
        KeyArgs::Counted => {
            let n = args
                .get(1)
                .and_then(|n| std::str::from_utf8(n).ok())
                .and_then(|n| n.parse::<usize>().ok());
            match n {
                Some(n) => args.iter().skip(2).take(n).copied().collect(),
                None => Vec::new(),
            }
        }
    }
}

/// `OBJECT`/`MEMORY` take the key as their second argument (`OBJECT FREQ key`).
pub fn skip_subcommand(cmd: &str) -> bool {
    matches!(cmd, "object" | "memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(k: &str) -> String {
        String::from_utf8(key_pattern(k.as_bytes())).unwrap()
    }

    #[test]
    fn patterns_roll_up_ids_and_last_segments() {
        assert_eq!(pat("promo:strategy:spring_sale"), "promo:strategy:*");
        assert_eq!(pat("promo:strategy:42"), "promo:strategy:*");
        assert_eq!(pat("user:1000:profile"), "user:*:profile");
        assert_eq!(pat("session:3f2a9c1e-77aa-4b1c-9d2e-0a1b2c3d4e5f"), "session:*");
        assert_eq!(pat("cache/shard12/item"), "cache/shard*/item");
        assert_eq!(pat("queue"), "queue");
        assert_eq!(pat("key:000123"), "key:*");
        assert_eq!(pat("log:2024-03-01"), "log:*");
        assert_eq!(pat("a:b"), "a:*");
    }

    #[test]
    fn keys_are_displayed_printably_and_cut() {
        assert_eq!(display_key(b"user:1"), "user:1");
        assert_eq!(display_key(b"a\"b\\c\n"), "a\\\"b\\\\c\\x0a");
        assert_eq!(display_key(b"\xff\x00k"), "\\xff\\x00k");
        let long = vec![b'x'; 1000];
        assert!(display_key(&long).ends_with("…(1000 bytes)"));
    }

    #[test]
    fn globs_match_like_redis() {
        assert!(glob_match(b"user:*", b"user:1"));
        assert!(!glob_match(b"user:*", b"users:1"));
        assert!(glob_match(b"*:profile", b"user:1:profile"));
        assert!(glob_match(b"h?llo", b"hello"));
        assert!(glob_match(b"h[ae]llo", b"hallo"));
        assert!(!glob_match(b"h[^e]llo", b"hello"));
        assert!(glob_match(b"h[a-c]llo", b"hbllo"));
        assert!(glob_match(b"a\\*b", b"a*b"));
        assert!(!glob_match(b"a\\*b", b"axb"));
        assert!(glob_match(b"*", b""));
        assert!(glob_match(b"*a*b*", b"xxaxxbxx"));
    }

    #[test]
    fn command_keys_know_reads_writes_and_positions() {
        let args: Vec<&[u8]> = vec![b"k", b"0", b"-1"];
        assert_eq!(command_keys("lrange", &args), Some((KeyArgs::First, Access::FullRead)));
        let args: Vec<&[u8]> = vec![b"k", b"0", b"9"];
        assert_eq!(
            command_keys("lrange", &args),
            Some((KeyArgs::First, Access::PartialRead))
        );
        assert_eq!(command_keys("ping", &[]), None);
        let args: Vec<&[u8]> = vec![b"a", b"1", b"b", b"2"];
        assert_eq!(keys_of(KeyArgs::EveryOther, &args), vec![b"a" as &[u8], b"b"]);
        let args: Vec<&[u8]> = vec![b"return 1", b"2", b"k1", b"k2", b"arg"];
        assert_eq!(keys_of(KeyArgs::Counted, &args), vec![b"k1" as &[u8], b"k2"]);
    }
}
