//! The sentences the analysis writes into the report, in the report's language.
//!
//! `say!(lang, "english {}", "中文 {}", args…)` formats the variant for `lang`; both
//! variants take the same arguments (a variant may reorder them with `{0}`, `{1}`).
//! English stays the reference text (tests and goldens compare it byte for byte);
//! numbers, ids, times and quoted template text are the same in every language.

/// Formats the sentence for `lang`: the English or the Chinese format string, same arguments.
macro_rules! say {
    ($lang:expr, $en:literal, $zh:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::rules::Lang::En => format!($en $(, $arg)*),
            $crate::rules::Lang::Zh => format!($zh $(, $arg)*),
        }
    };
}
pub(crate) use say;

#[cfg(test)]
mod tests {
    use crate::rules::Lang;

    #[test]
    fn picks_the_variant_for_the_language() {
        let n = 3;
        assert_eq!(
            say!(Lang::En, "{n} records of {}", "{0} 的 {n} 条记录", "x"),
            "3 records of x"
        );
        assert_eq!(
            say!(Lang::Zh, "{n} records of {}", "{0} 的 {n} 条记录", "x"),
            "x 的 3 条记录"
        );
    }
}
