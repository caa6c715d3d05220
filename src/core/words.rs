//! Counts in words for messages: "1 DLT", "2 DLTs".

/// `n` followed by `singular`, or by `singular` + "s" unless `n` is 1 ("1 patient", "3 patients").
pub fn count(n: impl Into<u64>, singular: &str) -> String {
    match n.into() {
        1 => format!("1 {singular}"),
        n => format!("{n} {singular}s"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular() {
        assert_eq!(super::count(1u32, "DLT"), "1 DLT");
        assert_eq!(super::count(0u32, "DLT"), "0 DLTs");
        assert_eq!(super::count(12u64, "patient"), "12 patients");
    }
}
