//! Typed masking: a message becomes a *shape* (`export alarm id=<num> from <ip>`) and
//! the list of values its placeholders stand for.
//!
//! Masking is built in and the same for every source: numbers (with units: `<dur>`,
//! `<size>`), hex, IPv4/IPv6 with ports, UUIDs, paths, URLs, e-mails, timestamps inside
//! messages, SQL `IN (…)` lists (one `<list>` whose value is the list length), and
//! identifiers that carry digits (`blk_-1608`, `node-246`). `key=value` keeps the key.
//! What typing cannot see (user names, host names without digits) is left to template
//! induction, which finds the positions that vary.

use triage_parse::timestamp::{self, TimeContext};

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Num,
    Hex,
    Ip,
    Uuid,
    Path,
    Url,
    Email,
    Ts,
    Duration,
    Size,
    /// An identifier containing digits (`blk_-1608`, `appattempt_1445_0020`).
    Id,
    /// A SQL `IN (…)` list; its value is the number of items.
    List,
    /// `true` / `false`.
    Bool,
    /// A position found variable by template induction.
    Var,
    /// A user mask (`--mask NAME=REGEX`), by its index in the masker.
    Custom(u8),
}

impl Kind {
    pub fn placeholder(self) -> &'static str {
        match self {
            Kind::Num => "<num>",
            Kind::Hex => "<hex>",
            Kind::Ip => "<ip>",
            Kind::Uuid => "<uuid>",
            Kind::Path => "<path>",
            Kind::Url => "<url>",
            Kind::Email => "<email>",
            Kind::Ts => "<ts>",
            Kind::Duration => "<dur>",
            Kind::Size => "<size>",
            Kind::Id => "<id>",
            Kind::List => "<list>",
            Kind::Bool => "<bool>",
            Kind::Var => "<*>",
            Kind::Custom(_) => "<custom>",
        }
    }
}

/// One masked value: where it is in the message and, for lists, its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
    /// Item count for [`Kind::List`].
    pub items: u32,
    /// Index of the shape token holding it.
    pub token: u16,
}

/// A masked message. Reused between calls to avoid allocation.
#[derive(Debug, Clone, Default)]
pub struct Masked {
    /// Tokens separated by single spaces, placeholders in place of values.
    pub shape: String,
    pub params: Vec<Param>,
    /// Index of the token being written (for [`Param::token`]).
    token: u16,
}

impl Masked {
    pub fn clear(&mut self) {
        self.shape.clear();
        self.params.clear();
        self.token = 0;
    }

    /// Appends `kind`'s placeholder to the shape and the value `message[start..end]`
    /// (offsets only) to the parameters, at the current token.
    fn push_value(&mut self, kind: Kind, start: usize, end: usize) {
        self.shape.push_str(kind.placeholder());
        self.params.push(Param {
            kind,
            start: start as u32,
            end: end as u32,
            items: 0,
            token: self.token,
        });
    }

    /// The text of a parameter in the message it was masked from.
    pub fn value<'a>(&self, message: &'a str, p: &Param) -> &'a str {
        message.get(p.start as usize..p.end as usize).unwrap_or("")
    }
}

/// A user-defined mask: values matching `regex` become `<name>`.
#[derive(Debug, Clone)]
pub struct CustomMask {
    pub name: String,
    /// Anchored at the start of a token.
    regex: regex::Regex,
}

impl CustomMask {
    /// Parses `NAME=REGEX` (as given to `--mask`).
    pub fn parse(spec: &str) -> Result<CustomMask, String> {
        let (name, pattern) = spec
            .split_once('=')
            .ok_or_else(|| format!("--mask {spec:?}: expected NAME=REGEX"))?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("--mask {spec:?}: NAME must be letters, digits or _"));
        }
        let regex = regex::Regex::new(&format!("^(?:{pattern})")).map_err(|e| format!("--mask {spec:?}: {e}"))?;
        Ok(CustomMask {
            name: name.to_string(),
            regex,
        })
    }
}

/// Masks messages. Holds the time context used to recognise timestamps in messages and
/// any user masks, which are tried first at every token.
pub struct Masker {
    ctx: TimeContext,
    custom: Vec<CustomMask>,
    /// Equal for maskers that mask alike (0: no user masks), so that shapes remembered
    /// from one masker are never reused for another (see `miner::MessageMemo`).
    pub(crate) config_id: u64,
}

impl Default for Masker {
    fn default() -> Self {
        Masker {
            ctx: TimeContext {
                zone: timestamp::Zone::utc(),
                reference: (2000, 1, 1),
            },
            custom: Vec::new(),
            config_id: 0,
        }
    }
}

impl Masker {
    /// A masker with user masks (at most 255).
    pub fn with_custom(custom: Vec<CustomMask>) -> Masker {
        static NEXT_CONFIG: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let custom: Vec<CustomMask> = custom.into_iter().take(255).collect();
        let config_id = if custom.is_empty() {
            0
        } else {
            NEXT_CONFIG.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        };
        Masker {
            custom,
            config_id,
            ..Masker::default()
        }
    }
}

const OPEN_PUNCT: &[u8] = b"([{<\"'`";
const CLOSE_PUNCT: &[u8] = b")]}>\"'`,;:.!?";

/// Byte classes as lookup tables: these tests run for every byte of every token.
const fn table(set: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < set.len() {
        t[set[i] as usize] = true;
        i += 1;
    }
    t
}
static IS_OPEN: [bool; 256] = table(OPEN_PUNCT);
static IS_CLOSE: [bool; 256] = table(CLOSE_PUNCT);

// Class bits of a byte. A token's bits are OR-ed while its end is found, so most of the
// routing below (plain word? any `=`, `:`, `/`, inner delimiter?) costs no extra pass.
const C_WS: u16 = 1;
const C_ALPHA: u16 = 1 << 1;
const C_DIGIT: u16 = 1 << 2;
const C_INNER: u16 = 1 << 3;
const C_COLON: u16 = 1 << 4;
const C_EQ: u16 = 1 << 5;
const C_SLASH: u16 = 1 << 6;
const C_AT: u16 = 1 << 7;
const C_DOT: u16 = 1 << 8;
/// `:@=/\.-+%`: the marks that make a digit-free token worth a closer look.
const C_MARK: u16 = 1 << 9;
/// Any byte but an ASCII letter or whitespace, so that `flags == C_ALPHA` means a plain word.
const C_NONALPHA: u16 = 1 << 10;
/// Any byte but an ASCII digit, so that `flags & C_NONDIGIT == 0` means a number.
const C_NONDIGIT: u16 = 1 << 11;

static CLASS: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut f = 0;
        if c.is_ascii_whitespace() {
            f |= C_WS;
        }
        if c.is_ascii_alphabetic() {
            f |= C_ALPHA;
        } else if !c.is_ascii_whitespace() {
            f |= C_NONALPHA;
        }
        if c.is_ascii_digit() {
            f |= C_DIGIT;
        } else {
            f |= C_NONDIGIT;
        }
        if matches!(c, b':' | b'@' | b'=' | b'/' | b'\\' | b'.' | b'-' | b'+' | b'%') {
            f |= C_MARK;
        }
        match c {
            b':' => f |= C_COLON,
            b'=' => f |= C_EQ,
            b'/' | b'\\' => f |= C_SLASH,
            b'@' => f |= C_AT,
            b'.' => f |= C_DOT,
            _ => {}
        }
        t[b] = f;
        b += 1;
    }
    let mut i = 0;
    while i < INNER_DELIMS.len() {
        t[INNER_DELIMS[i] as usize] |= C_INNER;
        i += 1;
    }
    t
};

#[inline]
fn is_bool_word(s: &[u8]) -> bool {
    (s.len() == 4 || s.len() == 5) && matches!(s, b"true" | b"false" | b"True" | b"False" | b"TRUE" | b"FALSE")
}

/// `://` in a token (a URL); tokens are short, so a plain scan beats a searcher.
#[inline]
fn has_scheme_sep(s: &[u8]) -> bool {
    s.windows(3).any(|w| w == b"://")
}

/// The end of the token starting at `i` and the OR of its bytes' class bits. Not
/// inlined: inside `mask` the compiler kept `flags` on the stack, and the store and
/// reload per byte made this loop half of all masking time.
#[inline(never)]
fn token_end(s: &[u8], i: usize) -> (usize, u16) {
    let mut flags = 0u16;
    for (k, &b) in s[i..].iter().enumerate() {
        let c = CLASS[b as usize];
        if c & C_WS != 0 {
            return (i + k, flags);
        }
        flags |= c;
    }
    (s.len(), flags)
}

/// Shape text copied from the message but not yet appended: consecutive plain tokens
/// separated by one space are one slice of the message, so they cost one copy.
struct Pending {
    start: usize,
    end: usize,
}

impl Masker {
    /// Masks `message` (its first line; see [`record_text`] for multi-line records).
    pub fn mask(&self, message: &str, out: &mut Masked) {
        out.clear();
        // `TraceID: 2bbb… SpanID: ec9e… Query Recommendations`: the request's trace
        // context says which request, not what happened, so it goes after the event's
        // words (`Query Recommendations TraceID: <hex> SpanID: <hex>`) rather than
        // heading every template of the service. Offsets stay those of the message.
        let context = trace_context_end(message.as_bytes());
        if context > 0 {
            self.mask_from(message, context, out);
            self.mask_from(&message[..context], 0, out);
        } else {
            self.mask_from(message, 0, out);
        }
    }

    /// Masks `message[from..]`, appending to `out`.
    fn mask_from(&self, message: &str, from: usize, out: &mut Masked) {
        let s = message.as_bytes();
        let mut i = from;
        // Whether a token has been written (the next one is preceded by a space).
        let mut started = !out.shape.is_empty();
        let mut pending = Pending { start: 1, end: 0 };
        while i < s.len() {
            while i < s.len() && CLASS[s[i] as usize] & C_WS != 0 {
                i += 1;
            }
            if i >= s.len() {
                break;
            }
            let (j, flags) = token_end(s, i);
            // Fast path: a plain word (most tokens) is kept as it is. `IN` may open a
            // list, three-letter capitalised words may be months, and user masks come
            // first, so those take the full path.
            let word = &s[i..j];
            let plain = if self.custom.is_empty() && flags & (C_DIGIT | C_ALPHA) != 0 {
                plain_token(word, flags).map(|p| p.at(i))
            } else {
                None
            };
            let verbatim = (flags == C_ALPHA
                && self.custom.is_empty()
                && !(word.len() == 3 && word[0].is_ascii_uppercase())
                && !(word.len() == 2 && word.eq_ignore_ascii_case(b"in"))
                && !is_bool_word(word))
                || plain == Some(Plain::Word);
            if verbatim {
                if started {
                    out.token = out.token.saturating_add(1);
                    if pending.end < pending.start || !(pending.end + 1 == i && s[pending.end] == b' ') {
                        flush(message, &mut pending, out);
                        out.shape.push(' ');
                        pending.start = i;
                    }
                } else {
                    pending.start = i;
                }
                pending.end = j;
                started = true;
                i = j;
                continue;
            }
            flush(message, &mut pending, out);
            if started {
                out.shape.push(' ');
                out.token = out.token.saturating_add(1);
            }
            started = true;
            if let Some(Plain::Number(a, b)) = plain {
                out.shape.push_str(&message[i..a]);
                out.push_value(Kind::Num, a, b);
                out.shape.push_str(&message[b..j]);
                i = j;
                continue;
            }
            i = self.mask_full(message, i, j, flags, out);
        }
        flush(message, &mut pending, out);
    }

    /// The full path for the token `message[i..j]` (class bits `flags`): lists,
    /// user masks, timestamps, typed values. Returns where the next token search starts
    /// (a list, timestamp or unit may reach past `j`).
    fn mask_full(&self, message: &str, i: usize, j: usize, flags: u16, out: &mut Masked) -> usize {
        let s = message.as_bytes();
        // `IN (1, 2, 3)`: one placeholder, its value the number of items.
        if j - i == 2 && s[i..j].eq_ignore_ascii_case(b"in") {
            if let Some((end, items)) = in_list(s, j) {
                out.shape.push_str(&message[i..j]);
                out.shape.push_str(" (<list>)");
                out.params.push(Param {
                    kind: Kind::List,
                    start: j as u32,
                    end: end as u32,
                    items,
                    token: out.token,
                });
                return end;
            }
        }
        // User masks first: they may span several tokens.
        if !self.custom.is_empty() {
            if let Some((k, len)) = self.custom.iter().enumerate().find_map(|(k, c)| {
                c.regex
                    .find(&message[i..])
                    .filter(|m| m.end() > 0)
                    .map(|m| (k, m.end()))
            }) {
                out.shape.push('<');
                out.shape.push_str(&self.custom[k].name);
                out.shape.push('>');
                let token = out.token;
                out.params.push(Param {
                    kind: Kind::Custom(k as u8),
                    start: i as u32,
                    end: (i + len) as u32,
                    items: 0,
                    token,
                });
                return i + len;
            }
        }
        let word = &s[i..j];
        if flags == C_ALPHA && !(word.len() == 3 && word[0].is_ascii_uppercase()) && !is_bool_word(word) {
            out.shape.push_str(&message[i..j]);
            return j;
        }
        // A timestamp may span several tokens (`Wed Jun 15 02:04:59 2005`), also as
        // the value of `key=`.
        let mut at = i;
        if flags & C_EQ != 0 {
            if let Some(k) = word.iter().position(|&c| c == b'=') {
                if k > 0 && s.get(i + k + 1).is_some_and(u8::is_ascii_digit) {
                    at = i + k + 1;
                }
            }
        }
        if might_be_timestamp(&s[at..j]) {
            if let Some(m) = timestamp::scan(&s[at..], &self.ctx) {
                let end = at + m.len;
                // `at 12:01:33,` / `delay=00:00:02;`: closing punctuation after a time
                // is prose, not part of a longer token.
                let closed = s[end.min(j)..j].iter().all(|&c| IS_CLOSE[c as usize]);
                if end >= j || closed || m.layout.richness() >= 3 {
                    out.shape.push_str(&message[i..at]);
                    out.push_value(Kind::Ts, at, end);
                    if end < j && closed {
                        out.shape.push_str(&message[end..j]);
                        return j;
                    }
                    return end;
                }
            }
        }
        let token_start = out.shape.len();
        mask_token(message, i, j, flags, out);
        // `<1 sec`, `~5 ms`: a bound and its unit are one value; so is a restatement in
        // parentheses, `(1.16 KB)`.
        let token = &s[i..j];
        let bound = matches!(token.first(), Some(b'<' | b'>' | b'~'))
            && token[1..].iter().all(|c| c.is_ascii_digit() || *c == b'.');
        let paren = token.first() == Some(&b'(')
            && token.len() > 1
            && token[1..].iter().all(|c| c.is_ascii_digit() || *c == b'.');
        // `93.0 B`, `5.2 KB`: a formatter picks the size unit by magnitude, so the unit is
        // part of the value (spelled-out `bytes` and time units are fixed by the code).
        // Only a one-decimal mantissa (`93.0 B`, `5.2 KB`, as size humanisers print)
        // says the unit was chosen: `2048 MB` and `used: 0.00 MB` are fixed units.
        let plain = token.first().is_some_and(u8::is_ascii_digit)
            && token
                .iter()
                .position(|&c| c == b'.')
                .is_some_and(|d| d + 2 == token.len())
            && token.iter().all(|c| c.is_ascii_digit() || *c == b'.')
            && size_abbrev_after(s, j);
        if bound || paren || plain {
            if let Some((kind, mut end)) = unit_after(s, j) {
                // `5.2 KB,`: the unit's trailing punctuation stays on the token.
                let mut tail = end;
                if plain {
                    end = j + 1 + s[j + 1..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
                    tail = end + s[end..].iter().take_while(|&&c| IS_CLOSE[c as usize]).count();
                    if s.get(tail).is_some_and(|&c| CLASS[c as usize] & C_WS == 0) {
                        tail = end;
                    }
                }
                let closes = !paren || s.get(end.saturating_sub(1)) == Some(&b')');
                if closes {
                    if let Some(last) = out.params.last_mut() {
                        last.kind = kind;
                        // The comparator belongs to the value: `<1 sec`.
                        last.start = if bound { i as u32 } else { last.start };
                        last.end = if paren { end as u32 - 1 } else { end as u32 };
                    }
                    out.shape.truncate(token_start);
                    if paren {
                        out.shape.push('(');
                    }
                    out.shape.push_str(kind.placeholder());
                    if paren {
                        out.shape.push(')');
                    }
                    out.shape.push_str(&message[end..tail]);
                    return tail;
                }
            }
        }
        j
    }
}

/// What [`plain_token`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plain {
    /// Kept as it is.
    Word,
    /// `<num>` for the core `a..b`, the punctuation around it kept.
    Number(usize, usize),
}

impl Plain {
    fn at(self, offset: usize) -> Plain {
        match self {
            Plain::Number(a, b) => Plain::Number(a + offset, b + offset),
            w => w,
        }
    }
}

/// The commonest tokens, decided without the full path: a word or a number inside
/// opening and closing punctuation only (`failed:`, `(connection)`, `"user",`, `42`,
/// `33,`). Gives what the full path gives for them (tested against it), and `None` for
/// everything it would treat specially: user masks are checked by the caller; bool words,
/// possible timestamps (`12:`, six digits, month names), a comparator or parenthesis
/// before a number (`<1 sec`, `(1.2 KB)`), a dot in a number and `<…>` around one.
/// Offsets are relative to `tok`.
fn plain_token(tok: &[u8], flags: u16) -> Option<Plain> {
    let a = tok.iter().take_while(|&&c| IS_OPEN[c as usize]).count();
    let b = tok.len() - tok[a..].iter().rev().take_while(|&&c| IS_CLOSE[c as usize]).count();
    let core = &tok[a..b];
    if core.is_empty() || might_be_timestamp(tok) {
        return None;
    }
    if flags & C_DIGIT == 0 {
        // Letters only, and more than the `IN` of a list or a month or weekday name.
        let special = is_bool_word(core)
            || (core.len() == 2 && core.eq_ignore_ascii_case(b"in"))
            || (core.len() == 3 && core[0].is_ascii_uppercase());
        return (core.iter().all(u8::is_ascii_alphabetic) && !special).then_some(Plain::Word);
    }
    let number = flags & (C_ALPHA | C_DOT) == 0
        && core.iter().all(u8::is_ascii_digit)
        && !matches!(tok[0], b'<' | b'>' | b'~' | b'(')
        && !tok[..a].contains(&b'<');
    number.then_some(Plain::Number(a, b))
}

/// The end of a trace context heading a message (`TraceID: <id> SpanID: <id>`,
/// `trace_id=<id> span_id=<id>`), when words follow it; else 0.
fn trace_context_end(s: &[u8]) -> usize {
    fn is_context_key(k: &[u8]) -> bool {
        let mut norm = [0u8; 16];
        let mut n = 0;
        for &c in k {
            if matches!(c, b'_' | b'-' | b'.') {
                continue;
            }
            if n == norm.len() {
                return false;
            }
            norm[n] = c.to_ascii_lowercase();
            n += 1;
        }
        matches!(&norm[..n], b"traceid" | b"spanid" | b"parentid" | b"parentspanid")
    }
    // Every message passes here: most are turned away by their first byte.
    if !matches!(s.first(), Some(b't' | b'T' | b's' | b'S' | b'p' | b'P')) {
        return 0;
    }
    let plausible = |v: &[u8]| v.len() >= 8 && v.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-');
    let mut tokens = s
        .split(|c| c.is_ascii_whitespace())
        .scan(0usize, |at, t| {
            let start = *at;
            *at += t.len() + 1;
            Some((start, t))
        })
        .filter(|(_, t)| !t.is_empty());
    let mut end = 0;
    while let Some((start, t)) = tokens.next() {
        if t.strip_suffix(b":").is_some_and(is_context_key) {
            match tokens.next() {
                Some((vs, v)) if plausible(v) => end = vs + v.len(),
                _ => return 0,
            }
        } else if let Some(k) = t.iter().position(|&c| c == b'=').filter(|&k| is_context_key(&t[..k])) {
            if !plausible(&t[k + 1..]) {
                return 0;
            }
            end = start + t.len();
        } else {
            // Words must follow the context for it to move.
            return if end > 0 && t.iter().any(u8::is_ascii_alphabetic) {
                end
            } else {
                0
            };
        }
    }
    0
}

/// Appends the pending run of plain tokens to the shape.
#[inline]
fn flush(message: &str, pending: &mut Pending, out: &mut Masked) {
    if pending.end > pending.start {
        out.shape.push_str(&message[pending.start..pending.end]);
    }
    pending.start = 1;
    pending.end = 0;
}

/// Whether an abbreviated size unit (`B`, `KB`, `MiB`…) follows at `j`, as its own word.
fn size_abbrev_after(s: &[u8], j: usize) -> bool {
    if s.get(j) != Some(&b' ') {
        return false;
    }
    let rest = &s[j + 1..];
    let len = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let word = &rest[..len];
    let boundary = rest
        .get(len)
        .is_none_or(|c| matches!(c, b' ' | b',' | b')' | b';' | b'.'));
    boundary
        && matches!(
            word,
            b"B" | b"KB" | b"kB" | b"MB" | b"GB" | b"TB" | b"PB" | b"KiB" | b"MiB" | b"GiB" | b"TiB"
        )
}

/// A unit word after a number at `j` (and an optional `(1.16 KB)` restatement after
/// it). Returns the kind and the end offset.
fn unit_after(s: &[u8], j: usize) -> Option<(Kind, usize)> {
    let mut k = j;
    while k < s.len() && s[k] == b' ' {
        k += 1;
    }
    let start = k;
    while k < s.len() && s[k].is_ascii_alphabetic() {
        k += 1;
    }
    if k == start || (k < s.len() && !matches!(s[k], b' ' | b',' | b')' | b';' | b'.')) {
        return None;
    }
    let word = std::str::from_utf8(&s[start..k]).ok()?.to_ascii_lowercase();
    let kind = match word.as_str() {
        "ns" | "us" | "ms" | "sec" | "secs" | "second" | "seconds" | "min" | "mins" | "minutes" | "hours" | "days" => {
            Kind::Duration
        }
        "b" | "bytes" | "kb" | "mb" | "gb" | "tb" | "pb" | "kib" | "mib" | "gib" | "tib" => Kind::Size,
        _ => return None,
    };
    let mut e = k;
    if s.get(e) == Some(&b')') {
        e += 1;
    }
    Some((kind, e))
}

/// Cheap test before trying every timestamp layout: digits with a date or clock
/// separator near the start, an epoch-sized number, or a month or weekday name.
fn might_be_timestamp(tok: &[u8]) -> bool {
    match tok.first() {
        Some(c) if c.is_ascii_digit() => {
            // A date or clock opens with a year (`2015-`), or with one or two digits, a
            // separator and then one or two digits or a month name (`17/06`, `12:30`,
            // `10/Oct`); `10.251.30.85` and `12.345` do not.
            let lead = tok.iter().take_while(|c| c.is_ascii_digit()).count();
            let separated = tok.get(lead).is_some_and(|c| matches!(c, b'-' | b'/' | b'.' | b':'));
            let date_or_clock = separated
                && match lead {
                    4 => true,
                    1 | 2 => {
                        let rest = &tok[lead + 1..];
                        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                        (1..=2).contains(&digits) || rest.first().is_some_and(u8::is_ascii_alphabetic)
                    }
                    _ => false,
                };
            date_or_clock
                || (tok.len() >= 10 && tok.iter().take(19).all(u8::is_ascii_digit))
                || (tok.len() == 6 && tok.iter().all(u8::is_ascii_digit))
        }
        Some(c) if c.is_ascii_uppercase() && tok.len() >= 3 => {
            // Month and weekday names, compared as fixed arrays (no slice loop).
            matches!(
                &[tok[0], tok[1], tok[2]],
                b"Jan"
                    | b"Feb"
                    | b"Mar"
                    | b"Apr"
                    | b"May"
                    | b"Jun"
                    | b"Jul"
                    | b"Aug"
                    | b"Sep"
                    | b"Oct"
                    | b"Nov"
                    | b"Dec"
                    | b"Mon"
                    | b"Tue"
                    | b"Wed"
                    | b"Thu"
                    | b"Fri"
                    | b"Sat"
                    | b"Sun"
            )
        }
        _ => false,
    }
}

/// `(a, b, c)` after `IN`: returns (end offset after `)`, item count).
fn in_list(s: &[u8], mut i: usize) -> Option<(usize, u32)> {
    while i < s.len() && s[i] == b' ' {
        i += 1;
    }
    if s.get(i) != Some(&b'(') {
        return None;
    }
    let close = i + memchr_byte(b')', &s[i..])?;
    let inner = &s[i + 1..close];
    if inner.is_empty() || inner.contains(&b'(') {
        return None;
    }
    let items = inner.iter().filter(|&&b| b == b',').count() as u32 + 1;
    Some((close + 1, items))
}

fn memchr_byte(b: u8, s: &[u8]) -> Option<usize> {
    memchr::memchr(b, s)
}

/// Punctuation that separates values inside one whitespace-free token
/// (`ready=true,policy=3`, `Rect(0,`, `Controller#83`, `1514038440000##6993`).
const INNER_DELIMS: &[u8] = b",;&()[]{}|+#";
static IS_INNER: [bool; 256] = table(INNER_DELIMS);

/// Masks one whitespace-free token `message[i..j]` (class bits `flags`), keeping its
/// punctuation.
fn mask_token(message: &str, i: usize, j: usize, flags: u16, out: &mut Masked) {
    let s = message.as_bytes();
    // URLs and paths keep their query strings and brackets: one value. (Both need a
    // slash; a URL also a colon.)
    if flags & C_SLASH != 0 {
        let mut a = i;
        while a < j && IS_OPEN[s[a] as usize] {
            a += 1;
        }
        if is_path(&s[a..j]) || (flags & C_COLON != 0 && has_scheme_sep(&s[i..j])) {
            return mask_segment(message, i, j, out);
        }
    }
    if flags & C_INNER == 0 {
        return mask_segment(message, i, j, out);
    }
    // `127.0.0.1#53`: an address and its port in BIND's notation are one value.
    if let Some(k) = s[i..j].iter().position(|&c| c == b'#') {
        let (mut a, hash) = (i, i + k);
        while a < hash && IS_OPEN[s[a] as usize] {
            a += 1;
        }
        let digits = s[hash + 1..j].iter().take_while(|c| c.is_ascii_digit()).count();
        let end = hash + 1 + digits;
        if digits > 0 && s[end..j].iter().all(|&c| IS_CLOSE[c as usize]) && is_ip(&s[a..hash]) {
            out.shape.push_str(&message[i..a]);
            out.push_value(Kind::Ip, a, end);
            out.shape.push_str(&message[end..j]);
            return;
        }
    }
    let mut seg = i;
    for p in i..j {
        if IS_INNER[s[p] as usize] {
            mask_segment(message, seg, p, out);
            out.shape.push(s[p] as char);
            seg = p + 1;
        }
    }
    mask_segment(message, seg, j, out);
}

/// Masks a delimiter-free piece of a token, keeping quotes and trailing punctuation.
fn mask_segment(message: &str, i: usize, j: usize, out: &mut Masked) {
    let s = message.as_bytes();
    let mut a = i;
    let mut b = j;
    while a < b && IS_OPEN[s[a] as usize] {
        a += 1;
    }
    while b > a && IS_CLOSE[s[b - 1] as usize] {
        b -= 1;
    }
    if a > i {
        out.shape.push_str(&message[i..a]);
    }
    let (shape_at, params_at) = (out.shape.len(), out.params.len());
    mask_core(message, a, b, out, true);
    // `[<0212ebf3>]`: a value in angle brackets is shown as `[<hex>]`, not `[<<hex>>]`,
    // which reads as a placeholder inside a placeholder; the brackets are kept in the value.
    if a > i && s[a - 1] == b'<' && s.get(b) == Some(&b'>') && out.params.len() == params_at + 1 {
        let p = &mut out.params[params_at];
        if p.start as usize == a && p.end as usize == b && out.shape.len() == shape_at + p.kind.placeholder().len() {
            p.start -= 1;
            p.end += 1;
            out.shape.remove(shape_at - 1);
            b += 1;
        }
    }
    if j > b {
        out.shape.push_str(&message[b..j]);
    }
}

/// Masks a token core (no surrounding punctuation).
fn mask_core(message: &str, a: usize, b: usize, out: &mut Masked, split_pairs: bool) {
    let core = &message[a..b];
    let bytes = core.as_bytes();
    if core.is_empty() {
        return;
    }
    let push = |kind: Kind, out: &mut Masked, start: usize, end: usize| out.push_value(kind, start, end);
    // One pass to route the common cases cheaply; every test below is skipped when the
    // bytes it needs (a colon, an `@`, a dot…) are absent.
    let flags = bytes.iter().fold(0u16, |f, &c| f | CLASS[c as usize]);
    let colons = flags & C_COLON != 0;
    if flags & C_NONDIGIT == 0 {
        return push(Kind::Num, out, a, b);
    }
    if flags & C_DIGIT == 0 && flags & C_MARK == 0 {
        if flags & C_ALPHA != 0 && is_bool_word(bytes) {
            return push(Kind::Bool, out, a, b);
        }
        out.shape.push_str(core);
        return;
    }
    if colons && has_scheme_sep(bytes) {
        return push(Kind::Url, out, a, b);
    }
    // IPv4 needs dots, IPv6 colons.
    if flags & (C_DOT | C_COLON) != 0 && is_ip(bytes) {
        return push(Kind::Ip, out, a, b);
    }
    if is_uuid(bytes) {
        return push(Kind::Uuid, out, a, b);
    }
    if flags & C_AT != 0 && is_email(bytes) {
        return push(Kind::Email, out, a, b);
    }
    if colons && is_host_port(bytes) {
        return push(Kind::Ip, out, a, b);
    }
    if colons {
        // `AirPort_Brcm43xx::powerChange`: a qualified name; each part is masked on its
        // own, so the method name stays a word whatever its class looks like.
        if let Some(k) = core.find("::").filter(|&k| k > 0 && k + 2 < core.len()) {
            mask_core(message, a, a + k, out, split_pairs);
            out.shape.push_str("::");
            return mask_core(message, a + k + 2, b, out, split_pairs);
        }
        // `10.251.30.85:50010:Got`: an address with a word glued on by a colon.
        if let Some(k) = bytes.iter().rposition(|&c| c == b':') {
            let (head, tail) = (&bytes[..k], &bytes[k + 1..]);
            if !tail.is_empty() && tail.iter().all(u8::is_ascii_alphabetic) && (is_ip(head) || is_host_port(head)) {
                push(Kind::Ip, out, a, a + k);
                out.shape.push_str(&core[k..]);
                return;
            }
        }
    }
    // `=38`, `:-529` (`brightnessIn =38`, `getLocationOnScreen():-529`): a value whose
    // key is the word before it; the sign is punctuation.
    if split_pairs && bytes.len() > 1 && matches!(bytes[0], b'=' | b':') && bytes[1] != bytes[0] {
        out.shape.push(bytes[0] as char);
        return mask_core(message, a + 1, b, out, split_pairs);
    }
    if flags & C_DOT != 0 && is_host_name(bytes) {
        return push(Kind::Ip, out, a, b);
    }
    if split_pairs && flags & (C_EQ | C_COLON) != 0 {
        // `key=value` / `key:value`: keep the key, mask the value. A `:` key is an
        // identifier that is not itself data (`len:12`, `CurrentState:112`,
        // `ib_sm_sweep.c:1831`); host names with ports were taken above.
        if let Some(k) = bytes.iter().position(|&c| c == b'=' || c == b':') {
            let key = &bytes[..k];
            let word_key = if bytes[k] == b':' {
                key.first().is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
                    && key
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'$'))
                    && longest_digit_run(key) < 2
            } else {
                key.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
            };
            if k > 0 && word_key && key.iter().any(|c| c.is_ascii_alphabetic()) {
                out.shape.push_str(&core[..=k]);
                let value_start = a + k + 1;
                let mut vs = value_start;
                while vs < b && IS_OPEN[message.as_bytes()[vs] as usize] {
                    vs += 1;
                }
                if vs > value_start {
                    out.shape.push_str(&message[value_start..vs]);
                }
                mask_core(message, vs, b, out, true);
                return;
            }
        }
    }
    if flags & C_SLASH != 0 && is_path(bytes) {
        return push(Kind::Path, out, a, b);
    }
    if is_bool_word(bytes) {
        return push(Kind::Bool, out, a, b);
    }
    if let Some(kind) = number_kind(bytes) {
        return push(kind, out, a, b);
    }
    if is_hex(bytes) {
        return push(Kind::Hex, out, a, b);
    }
    // `android.os.BinderProxy@2bd79ce`: an object's class and its identity hash.
    if flags & C_AT != 0 {
        if let Some(k) = bytes.iter().rposition(|&c| c == b'@') {
            let (class, hash) = (&bytes[..k], &bytes[k + 1..]);
            if hash.len() >= 6
                && hash.iter().all(u8::is_ascii_hexdigit)
                && hash.iter().any(u8::is_ascii_digit)
                && class.first().is_some_and(u8::is_ascii_alphabetic)
                && longest_digit_run(class) < 2
                && class
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$'))
            {
                out.shape.push_str(&core[..=k]);
                return push(Kind::Hex, out, a + k + 1, b);
            }
        }
    }
    // `core.2275`, `node-129`, `i-fetch......0`: a word and a number joined by `.` or `-`
    // (or a dot leader) is a name with a number; the name stays (`node-<num>`). Joined by
    // `_` it is one identifier (`blk_-1608`, `broadcast_9`), masked whole below.
    if flags & C_DIGIT != 0 {
        if let Some(cut) = word_then_number(bytes) {
            out.shape.push_str(&core[..cut]);
            return push(Kind::Num, out, a + cut, b);
        }
    }
    // An identifier with a number in it (`blk_-1608`, `an14`, `R02-M1`); a single stray
    // digit (`SOCKS5`, `HTTP/1.1`, `ipv4`) is part of a word.
    if flags & C_DIGIT != 0 {
        let hex_literal = bytes
            .windows(3)
            .any(|w| w[0] == b'0' && (w[1] == b'x' || w[1] == b'X') && w[2].is_ascii_hexdigit());
        if hex_literal || longest_digit_run(bytes) >= 2 {
            return push(Kind::Id, out, a, b);
        }
    }
    out.shape.push_str(core);
}

/// Where the number starts in `word.12`, `word-12`, `function@286` or `word......12` (a
/// dot leader, as in aligned `name.......value` dumps, after any text). The word is
/// letters (with inner `.`, `-`, `_`), starts with a letter or `_` and ends with a letter.
fn word_then_number(s: &[u8]) -> Option<usize> {
    let digits = s.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits == s.len() {
        return None;
    }
    let cut = s.len() - digits;
    let dots = s[..cut].iter().rev().take_while(|&&c| c == b'.').count();
    if dots >= 2 {
        return Some(cut);
    }
    if !matches!(s[cut - 1], b'.' | b'-' | b'@') {
        return None;
    }
    let word = &s[..cut - 1];
    let ok = word.first().is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && word.last().is_some_and(u8::is_ascii_alphabetic)
        && word
            .iter()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, b'.' | b'-' | b'_'));
    ok.then_some(cut)
}

fn longest_digit_run(s: &[u8]) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

fn is_ip(s: &[u8]) -> bool {
    // Both forms are made of hex digits, `.`, `:` and `%` only: one cheap pass rejects
    // most tokens before the parts are looked at.
    if !s
        .iter()
        .all(|&c| c.is_ascii_hexdigit() || matches!(c, b'.' | b':' | b'%'))
    {
        return false;
    }
    // IPv4 with optional :port.
    let (host, port) = match s.iter().rposition(|&c| c == b':') {
        Some(k) if s.iter().filter(|&&c| c == b':').count() == 1 => (&s[..k], Some(&s[k + 1..])),
        _ => (s, None),
    };
    let mut parts = 0;
    let mut dotted_quad = true;
    for part in host.split(|&c| c == b'.') {
        parts += 1;
        dotted_quad &= !part.is_empty() && part.len() <= 3 && part.iter().all(u8::is_ascii_digit);
    }
    if parts == 4 && dotted_quad {
        return port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.iter().all(u8::is_ascii_digit));
    }
    // IPv6: hex groups and at least two colons; a dot only in a trailing IPv4
    // (`::ffff:1.2.3.4`), so that a clock (`21:17:07.529`) is not an address.
    let colons = s.iter().filter(|&&c| c == b':').count();
    colons >= 2
        && s.len() >= 3
        && s.iter()
            .all(|c| c.is_ascii_hexdigit() || *c == b':' || *c == b'.' || *c == b'%')
        && s.iter().any(u8::is_ascii_hexdigit)
        && !s.iter().all(|c| c.is_ascii_digit() || *c == b':')
        && ipv6_dots_ok(s)
}

/// A dot in an IPv6 address only in a trailing IPv4 (`::ffff:1.2.3.4`).
fn ipv6_dots_ok(s: &[u8]) -> bool {
    match s.iter().rposition(|&c| c == b':') {
        Some(k) if s[..k].contains(&b'.') => false,
        Some(k) if s[k..].contains(&b'.') => is_ip(&s[k + 1..]),
        _ => true,
    }
}

/// `host.example.com:8080`, `msra-sa-41:9000`: a host name with a port. A host name has
/// a dot, a digit or a hyphen (a bare word before `:12` is a key: `CurrentState:112`,
/// `location:4`), no `_`, and no camelCase or source-file suffix (`state.clipTopAmount:180`,
/// `ib_sm_sweep.c:1831` are code names with a value or line).
fn is_host_port(s: &[u8]) -> bool {
    let Some(k) = s.iter().rposition(|&c| c == b':') else {
        return false;
    };
    let (host, port) = (&s[..k], &s[k + 1..]);
    !host.is_empty()
        && (1..=5).contains(&port.len())
        && port.iter().all(u8::is_ascii_digit)
        && host
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-'))
        && host.iter().any(|c| matches!(c, b'.' | b'-') || c.is_ascii_digit())
        && host.first().is_some_and(u8::is_ascii_alphanumeric)
        && !host
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
        && !is_source_file(host)
}

/// `cp-1.slowvm1.example.us`, `proxy.cse.cuhk.edu.hk`: a DNS name, told from a dotted code
/// name (`com.apple.cts`, `nova.compute.claims`, `state.clipTopAmount`) by ending in a
/// top-level domain (and not starting with one, as reversed package names do).
fn is_host_name(s: &[u8]) -> bool {
    const TLD: &[&[u8]] = &[
        b"com",
        b"net",
        b"org",
        b"edu",
        b"gov",
        b"mil",
        b"int",
        b"io",
        b"arpa",
        b"local",
        b"lan",
        b"internal",
        b"corp",
        b"home",
        b"info",
        b"biz",
        b"us",
        b"uk",
        b"de",
        b"fr",
        b"nl",
        b"jp",
        b"cn",
        b"hk",
        b"tw",
        b"kr",
        b"ru",
        b"in",
        b"au",
        b"ca",
        b"br",
        b"eu",
        b"ch",
        b"se",
        b"it",
        b"es",
        b"om",
    ];
    // Cheap rejections first: this runs for every dotted token (decimals included).
    if !s.last().is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    let (Some(first_dot), Some(last_dot)) = (s.iter().position(|&c| c == b'.'), s.iter().rposition(|&c| c == b'.'))
    else {
        return false;
    };
    let tld = &s[last_dot + 1..];
    let mut lower = [0u8; 8];
    if tld.len() > lower.len() {
        return false;
    }
    for (d, c) in lower.iter_mut().zip(tld) {
        *d = c.to_ascii_lowercase();
    }
    let lower = &lower[..tld.len()];
    TLD.contains(&lower)
        && (lower == tld || tld.iter().all(u8::is_ascii_uppercase))
        && !TLD.contains(&&s[..first_dot])
        && s.split(|&c| c == b'.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                && l[0] != b'-'
                && l[l.len() - 1] != b'-'
        })
        && !s
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// `Foo.java`, `engine.cc`: a name and a source-file extension (a code location when a
/// line number follows).
fn is_source_file(s: &[u8]) -> bool {
    const EXT: &[&[u8]] = &[
        b"c", b"h", b"cc", b"cpp", b"cxx", b"hpp", b"java", b"kt", b"scala", b"py", b"go", b"rs", b"js", b"ts", b"rb",
        b"cs", b"m", b"mm", b"swift", b"php", b"pl", b"lua", b"erl", b"ex", b"groovy",
    ];
    match s.iter().position(|&c| c == b'.') {
        Some(k) if k > 0 => {
            let ext = &s[k + 1..];
            EXT.contains(&ext) && s[..k].iter().any(u8::is_ascii_alphabetic)
        }
        _ => false,
    }
}

fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(k, c)| {
            if matches!(k, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

fn is_email(s: &[u8]) -> bool {
    let Some(at) = s.iter().position(|&c| c == b'@') else {
        return false;
    };
    at > 0
        && s[at + 1..].contains(&b'.')
        && s[..at]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'+'))
        && s[at + 1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-'))
}

fn is_path(s: &[u8]) -> bool {
    let unix = s.len() > 1
        && (s[0] == b'/' || s.starts_with(b"./") || s.starts_with(b"~/"))
        && s[1..].iter().any(|c| c.is_ascii_alphanumeric());
    let windows = s.len() > 3 && s[0].is_ascii_alphabetic() && s[1] == b':' && (s[2] == b'\\' || s[2] == b'/');
    unix || windows
}

fn is_hex(s: &[u8]) -> bool {
    if let Some(h) = s.strip_prefix(b"0x").or_else(|| s.strip_prefix(b"0X")) {
        return !h.is_empty() && h.iter().all(u8::is_ascii_hexdigit);
    }
    s.len() >= 6 && s.iter().all(u8::is_ascii_hexdigit) && s.iter().any(u8::is_ascii_digit)
}

/// A number, possibly signed or decimal, possibly with a unit: `12`, `-3.5`, `12ms`, `1.5GB`, `40%`.
fn number_kind(s: &[u8]) -> Option<Kind> {
    let mut k = 0;
    if matches!(s.first(), Some(b'-') | Some(b'+')) {
        k = 1;
    }
    let digits_start = k;
    while k < s.len() && (s[k].is_ascii_digit() || s[k] == b'.' || s[k] == b',') {
        k += 1;
    }
    if k == digits_start || !s[digits_start].is_ascii_digit() {
        return None;
    }
    let unit = &s[k..];
    if unit.is_empty() {
        return Some(Kind::Num);
    }
    if unit.len() > 8 {
        return None;
    }
    let mut lower = [0u8; 8];
    for (d, c) in lower.iter_mut().zip(unit) {
        *d = c.to_ascii_lowercase();
    }
    match std::str::from_utf8(&lower[..unit.len()]).ok()? {
        "ns" | "us" | "µs" | "ms" | "s" | "sec" | "secs" | "second" | "seconds" | "m" | "min" | "mins" | "h" | "hr"
        | "hrs" | "d" => Some(Kind::Duration),
        "b" | "kb" | "mb" | "gb" | "tb" | "k" | "g" | "kib" | "mib" | "gib" | "bytes" => Some(Kind::Size),
        "%" => Some(Kind::Num),
        _ => None,
    }
}

/// The text a record contributes to templating: its first line, plus for a stack trace
/// the exception class and the top frame, so traces of one failure group together.
pub fn record_text(message: &str) -> std::borrow::Cow<'_, str> {
    if memchr_byte(b'\n', message.as_bytes()).is_none() {
        return std::borrow::Cow::Borrowed(message.strip_suffix('\r').unwrap_or(message));
    }
    let mut lines = message.lines();
    let head = lines.next().unwrap_or("");
    let mut exception: Option<&str> = None;
    let mut frame: Option<&str> = None;
    for line in lines.take(200) {
        let t = line.trim();
        if frame.is_none() {
            if let Some(rest) = t.strip_prefix("at ") {
                frame = Some(rest.split('(').next().unwrap_or(rest));
            } else if t.starts_with("File \"") {
                frame = Some(t);
            }
        }
        if exception.is_none() {
            let name = t.split([':', ' ']).next().unwrap_or("");
            if name.ends_with("Exception") || name.ends_with("Error") || name.ends_with("Throwable") {
                exception = Some(name);
            }
        }
        if exception.is_some() && frame.is_some() {
            break;
        }
    }
    match (exception, frame) {
        (None, None) => std::borrow::Cow::Borrowed(head),
        _ => {
            let mut s = head.to_string();
            if let Some(e) = exception {
                s.push_str(" | ");
                s.push_str(e);
            }
            if let Some(f) = frame {
                s.push_str(" @ ");
                s.push_str(f);
            }
            std::borrow::Cow::Owned(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(msg: &str) -> (String, Vec<String>) {
        let mut m = Masked::default();
        Masker::default().mask(msg, &mut m);
        let vals = m.params.iter().map(|p| m.value(msg, p).to_string()).collect();
        (m.shape, vals)
    }

    /// The cheap test before a timestamp scan keeps every date and clock opening and
    /// lets addresses and decimals go by (they were scanned in vain for every layout).
    #[test]
    fn only_dates_and_clocks_are_scanned_for_timestamps() {
        for t in [
            "2015-10-18",
            "17/06/09",
            "03-17",
            "1:02:03",
            "16:13:38.811",
            "10/Oct/2000:13:55:36",
            "081109",
        ] {
            assert!(might_be_timestamp(t.as_bytes()), "{t}");
        }
        for t in ["10.251.30.85", "12.345", "123-45", "0x1f", "10.251.30.85:50010"] {
            assert!(!might_be_timestamp(t.as_bytes()), "{t}");
        }
    }

    /// Regression (Loghub Thunderbird `delay=00:00:02, xdelay=00:00:00,`): a time
    /// followed by closing punctuation was an `<id>`, the same time without it a `<ts>`.
    #[test]
    fn a_time_before_closing_punctuation_is_a_time() {
        let (s, v) = shape("delay=00:00:02, xdelay=00:00:00; done at 12:01:33.");
        assert_eq!(s, "delay=<ts>, xdelay=<ts>; done at <ts>.");
        assert_eq!(v, ["00:00:02", "00:00:00", "12:01:33"]);
        // Not closing punctuation: still one token, not a time.
        assert_ne!(shape("at 12:01:33abc").0, "at <ts>abc");
    }

    #[test]
    fn typed_masks() {
        assert_eq!(
            shape("PacketResponder 1 for block blk_38865049064139660 terminating").0,
            "PacketResponder <num> for block <id> terminating"
        );
        assert_eq!(
            shape("Received connection request /10.10.34.11:45307").0,
            "Received connection request <path>"
        );
        assert_eq!(shape("connect to 10.10.34.11:45307 failed").0, "connect to <ip> failed");
        assert_eq!(
            shape("uid=0 euid=0 tty=NODEVssh rhost=218.188.2.4").0,
            "uid=<num> euid=<num> tty=NODEVssh rhost=<ip>"
        );
        assert_eq!(
            shape("(HWID=1973) took 12ms, 1.5GB").0,
            "(HWID=<num>) took <dur>, <size>"
        );
        assert_eq!(
            shape("req 3f2a9c1e-1b2c-4d5e-8f90-0123456789ab from alice@example.com").0,
            "req <uuid> from <email>"
        );
        assert_eq!(shape("GET http://x.y/z?a=1 ok").0, "GET <url> ok");
        assert_eq!(
            shape("addr 0x7fed806eb5d fe80::1ff:fe23:4567:890a").0,
            "addr <hex> <ip>"
        );
    }

    /// Each case is a line from a real log (Loghub, Nezha) that masking got wrong: a
    /// constant word taken for a value, or a value split or fused with its key.
    #[test]
    fn words_around_values_stay_words() {
        let cases = [
            // A bare word before `:12` is a key, not a host with a port.
            ("Read out cached package, CurrentState:112", "Read out cached package, CurrentState:<num>"),
            ("overlapAmount:196.0, location:4, i:0", "overlapAmount:<num>, location:<num>, i:<num>"),
            // A camelCase or source-file name with a number: the name stays.
            ("state.clipTopAmount:180, i:0", "state.clipTopAmount:<num>, i:<num>"),
            ("[ib_sm_sweep.c:1831]: No topology change", "[ib_sm_sweep.c:<num>]: No topology change"),
            // Host names with ports, and DNS names, are still addresses.
            ("connect to msra-sa-41:9000 failed", "connect to <ip> failed"),
            ("proxy.cse.cuhk.edu.hk:5070 close", "<ip> close"),
            ("rhost=220-135-151-1.hinet-ip.hinet.net user=root", "rhost=<ip> user=root"),
            // …but dotted code names are not.
            ("received broadcast android.intent.action.TIME_TICK", "received broadcast android.intent.action.TIME_TICK"),
            // A logger and its line: the logger stays (`#` separates).
            ("s.c.SeatController#57 TraceID: e107c4d252a8f4810ed9ae6b5ebd5267 SpanID: 9c89df0a60881dac [getLeftTicketOfInterval][Get left ticket]",
             "s.c.SeatController#<num> TraceID: <hex> SpanID: <hex> [getLeftTicketOfInterval][Get left ticket]"),
            ("doSaveChannels@286: Will write", "doSaveChannels@<num>: Will write"),
            ("Bad activity token: android.os.BinderProxy@2bd79ce", "Bad activity token: android.os.BinderProxy@<hex>"),
            // A name and a number joined by `.`/`-`; joined by `_` it is one identifier.
            ("generating core.2275", "generating core.<num>"),
            ("NIFF: node node-129 has detected", "NIFF: node node-<num> has detected"),
            ("PacketResponder 1 for block blk_-1608 terminating", "PacketResponder <num> for block <id> terminating"),
            // Dot leaders.
            ("machine check: i-fetch......................0", "machine check: i-fetch......................<num>"),
            // `::`-qualified names keep the method.
            ("ARPT: 697702.656868: AirPort_Brcm43xx::powerChange: System Sleep", "ARPT: <num>: <id>::powerChange: System Sleep"),
            // An address with a word glued on.
            ("10.251.30.85:50010:Got exception while serving", "<ip>:Got exception while serving"),
            // A value right after `=` or `:` with the key a word before.
            ("HBM brightnessIn =38", "HBM brightnessIn =<num>"),
            ("x[0]=317.0, getLocationOnScreen():-529", "x[<num>]=<num>, getLocationOnScreen():<num>"),
            // Values split by `##`; an address and port in BIND notation; angle brackets.
            ("getTodayTotalDetailSteps = 1514038440000##6993##548365", "getTodayTotalDetailSteps = <num>##<num>##<num>"),
            ("listening on IPv4 interface lo, 127.0.0.1#53", "listening on IPv4 interface lo, <ip>"),
            ("[<0212ebf3>] __alloc_pages+0x274/0x281", "[<hex>] __alloc_pages+<id>"),
            // A clock is not IPv6.
            ("[21:17:07.529] FigAgglomeratorSetObjectForKey", "[<id>] FigAgglomeratorSetObjectForKey"),
            // Human-readable sizes carry their unit; fixed units stay words.
            ("estimated size 93.0 B, free 317.1 KB)", "estimated size <size>, free <size>)"),
            ("memory 2048 MB, disk 20 GB, used: 0.00 MB", "memory <num> MB, disk <num> GB, used: <num> MB"),
        ];
        for (msg, want) in cases {
            assert_eq!(shape(msg).0, want, "{msg}");
        }
        // The value of a glued name is its number; of an address, the whole address.
        assert_eq!(shape("node node-129 up").1, ["129"]);
        assert_eq!(shape("on 127.0.0.1#53").1, ["127.0.0.1#53"]);
        assert_eq!(shape("[<0212ebf3>] x").1, ["<0212ebf3>"]);
        assert_eq!(shape("size 5.2 KB, free").1, ["5.2 KB"]);
    }

    #[test]
    fn trace_context_never_heads_a_template() {
        let msg = "TraceID: 2bbb4d7b7d41b8652c4c5b23a10cd5f7 SpanID: ec9efc5b00b2d37a [GetQuote] received request";
        let (text, values) = shape(msg);
        assert_eq!(text, "[GetQuote] received request TraceID: <hex> SpanID: <hex>");
        assert_eq!(values, ["2bbb4d7b7d41b8652c4c5b23a10cd5f7", "ec9efc5b00b2d37a"]);
        let mut m = Masked::default();
        Masker::default().mask(msg, &mut m);
        assert_eq!(
            m.params.iter().map(|p| p.token).collect::<Vec<_>>(),
            [4, 6],
            "token indices follow the shape"
        );
        assert_eq!(
            shape("trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 GET /api/cart").0,
            "GET <path> trace_id=<hex> span_id=<hex>"
        );
        // Not a context: a missing id, or nothing after it.
        assert_eq!(shape("TraceID: missing in request").0, "TraceID: missing in request");
        assert_eq!(shape("TraceID: 2bbb4d7b7d41b8652c4c5b23a10cd5f7").0, "TraceID: <hex>");
        // Behind a logger it is no head: left in place.
        assert_eq!(
            shape("c.c.ContactsController#83 TraceID: 42b4f7d894cd9d4759a7f1e1acfef52f SpanID: 26cbf63a021f5ef6 [getContacts][ok]").0,
            "c.c.ContactsController#<num> TraceID: <hex> SpanID: <hex> [getContacts][ok]"
        );
    }

    #[test]
    fn timestamps_and_in_lists() {
        let (s, v) = shape("export alarm occurred=2020-06-01 10:00:00 done");
        assert_eq!(s, "export alarm occurred=<ts> done");
        assert_eq!(v, ["2020-06-01 10:00:00"]);
        assert_eq!(shape("connection at Wed Jun 15 02:04:59 2005").0, "connection at <ts>");
        let mut m = Masked::default();
        let msg = "select * from chat where id IN (1, 2, 3, 4) and x=1";
        Masker::default().mask(msg, &mut m);
        assert_eq!(m.shape, "select * from chat where id IN (<list>) and x=<num>");
        assert_eq!(m.params[0].kind, Kind::List);
        assert_eq!(m.params[0].items, 4);
    }

    #[test]
    fn user_masks_come_first() {
        let m = Masker::with_custom(vec![CustomMask::parse("order=ORD-[A-Z]{3}").unwrap()]);
        let mut out = Masked::default();
        m.mask("paid ORD-XYZ by card", &mut out);
        assert_eq!(out.shape, "paid <order> by card");
        assert_eq!(out.params[0].kind, Kind::Custom(0));
        assert!(CustomMask::parse("bad").is_err());
        assert!(CustomMask::parse("x=(").is_err());
    }

    #[test]
    fn stack_traces_add_class_and_frame() {
        let msg = "Request failed\njava.lang.IllegalStateException: boom 42\n\tat com.x.Y.run(Y.java:10)\n\tat com.x.Z.go(Z.java:3)";
        assert_eq!(
            record_text(msg),
            "Request failed | java.lang.IllegalStateException @ com.x.Y.run"
        );
        assert_eq!(record_text("plain"), "plain");
    }
}
