//! Severity levels, normalised from the many spellings logs use.

/// `TRACE DEBUG INFO WARN ERROR FATAL`, ordered by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
        Level::Fatal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }

    /// Parses a level word: names in any case (`warning`, `Err`, `CRITICAL`, `SEVERE`,
    /// `notice`, `emerg`…), without surrounding brackets or padding.
    pub fn from_word(word: &str) -> Option<Level> {
        Level::from_word_bytes(word.as_bytes())
    }

    /// [`Level::from_word`] on bytes (no UTF-8 check on the hot path).
    pub fn from_word_bytes(w: &[u8]) -> Option<Level> {
        if w.is_empty() || w.len() > 11 {
            return None;
        }
        let mut buf = [0u8; 11];
        for (i, b) in w.iter().enumerate() {
            buf[i] = b.to_ascii_uppercase();
        }
        Some(match &buf[..w.len()] {
            // Apache httpd's trace1–trace8; supervisord's TRAC and BLAT.
            b"TRACE" | b"TRC" | b"FINEST" | b"FINER" | b"VERBOSE" | b"TRACE1" | b"TRACE2" | b"TRACE3" | b"TRACE4"
            | b"TRACE5" | b"TRACE6" | b"TRACE7" | b"TRACE8" | b"TRAC" | b"BLAT" => Level::Trace,
            // PostgreSQL's DEBUG1–DEBUG5; supervisord's DEBG.
            b"DEBUG" | b"DBG" | b"DEBU" | b"DEBG" | b"FINE" | b"CONFIG" | b"DEBUG1" | b"DEBUG2" | b"DEBUG3"
            | b"DEBUG4" | b"DEBUG5" => Level::Debug,
            // PostgreSQL's `LOG:` and MySQL's `[Note]` are its informational level.
            b"INFO" | b"INF" | b"INFORMATION" | b"NOTICE" | b"INFORMATIONAL" | b"LOG" | b"NOTE" => Level::Info,
            b"WARN" | b"WARNING" | b"WRN" | b"WARNI" => Level::Warn,
            // java.util.logging's SEVERE is its error level (SLF4J maps ERROR to it).
            b"ERROR" | b"ERR" | b"ERRO" | b"FAILURE" | b"FAIL" | b"SEVERE" => Level::Error,
            // logrus' text formatter cuts names to four letters (`ERRO`, `DEBU`, `FATA`, `PANI`).
            b"FATAL" | b"CRITICAL" | b"CRIT" | b"EMERG" | b"EMERGENCY" | b"ALERT" | b"PANIC" | b"FTL" | b"FATA"
            | b"PANI" => Level::Fatal,
            _ => return None,
        })
    }

    /// Single-letter levels (`I`, `W`, `E`…) as used by logcat, glog and klog.
    pub fn from_letter(letter: &str) -> Option<Level> {
        Level::from_letter_bytes(letter.as_bytes())
    }

    /// [`Level::from_letter`] on bytes.
    pub fn from_letter_bytes(letter: &[u8]) -> Option<Level> {
        Some(match letter {
            b"T" | b"V" => Level::Trace,
            b"D" => Level::Debug,
            b"I" => Level::Info,
            b"W" => Level::Warn,
            b"E" => Level::Error,
            b"F" | b"A" | b"C" => Level::Fatal,
            _ => return None,
        })
    }

    /// Syslog severity 0–7.
    pub fn from_syslog_severity(sev: u8) -> Level {
        match sev {
            0..=2 => Level::Fatal,
            3 => Level::Error,
            4 => Level::Warn,
            5 | 6 => Level::Info,
            _ => Level::Debug,
        }
    }

    /// Bunyan/pino numeric levels (10 trace … 60 fatal).
    pub fn from_bunyan(n: i64) -> Option<Level> {
        Some(match n {
            0..=14 => Level::Trace,
            15..=24 => Level::Debug,
            25..=34 => Level::Info,
            35..=44 => Level::Warn,
            45..=54 => Level::Error,
            55..=100 => Level::Fatal,
            _ => return None,
        })
    }

    /// Any textual spelling: a word, a letter or a number (syslog 0–7 is not guessed
    /// here because it collides with Bunyan; callers that know use the specific parser).
    pub fn parse_loose(text: &str) -> Option<Level> {
        let t = text
            .trim()
            .trim_matches(|c| matches!(c, '[' | ']' | '<' | '>' | '(' | ')' | ':'));
        Level::from_word(t)
            .or_else(|| Level::from_letter(t))
            .or_else(|| t.parse::<i64>().ok().and_then(Level::from_bunyan))
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_normalise() {
        assert_eq!(Level::parse_loose("WARNING"), Some(Level::Warn));
        assert_eq!(Level::parse_loose("[warn]"), Some(Level::Warn));
        assert_eq!(Level::parse_loose("CRITICAL"), Some(Level::Fatal));
        assert_eq!(Level::parse_loose("SEVERE"), Some(Level::Error));
        // PostgreSQL, MySQL, Apache httpd and supervisord spellings.
        assert_eq!(Level::parse_loose("LOG:"), Some(Level::Info));
        assert_eq!(Level::parse_loose("DEBUG3"), Some(Level::Debug));
        assert_eq!(Level::parse_loose("[Note]"), Some(Level::Info));
        assert_eq!(Level::parse_loose("trace6"), Some(Level::Trace));
        assert_eq!(Level::parse_loose("DEBG"), Some(Level::Debug));
        assert_eq!(Level::parse_loose("BLAT"), Some(Level::Trace));
        // logrus' four-letter names.
        assert_eq!(Level::parse_loose("ERRO"), Some(Level::Error));
        assert_eq!(Level::parse_loose("FATA"), Some(Level::Fatal));
        assert_eq!(Level::parse_loose("PANI"), Some(Level::Fatal));
        assert_eq!(Level::parse_loose("emerg"), Some(Level::Fatal));
        assert_eq!(Level::parse_loose("E"), Some(Level::Error));
        assert_eq!(Level::parse_loose("30"), Some(Level::Info));
        assert_eq!(Level::parse_loose("50"), Some(Level::Error));
        assert_eq!(Level::parse_loose("notice"), Some(Level::Info));
        assert_eq!(Level::from_syslog_severity(3), Level::Error);
        assert_eq!(Level::parse_loose("hello"), None);
    }
}
