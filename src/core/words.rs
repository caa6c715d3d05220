//! Words for messages: counts with the right number ("1 DLT", "2 DLTs"), and the name a user
//! probably meant.

/// `n` followed by `singular`, or by `singular` + "s" unless `n` is 1 ("1 patient", "3 patients").
pub fn count(n: impl Into<u64>, singular: &str) -> String {
    match n.into() {
        1 => format!("1 {singular}"),
        n => format!("{n} {singular}s"),
    }
}

/// " (did you mean 'X'?)" when one of `candidates` equals `name` but for case, or lies within an
/// edit distance of 2 (the nearest; the first on ties); empty otherwise.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let distance = if c.to_lowercase() == lower {
            0
        } else {
            edit_distance(&lower, &c.to_lowercase())
        };
        if distance <= 2 && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, c));
        }
    }
    best.map_or(String::new(), |(_, c)| format!(" (did you mean '{c}'?)"))
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggests_the_name_meant() {
        let names = ["3+3", "BOIN", "CRM", "BOIN titration", "TITE-CRM"];
        let hint = |name| super::did_you_mean(name, names);
        assert_eq!(hint("boin"), " (did you mean 'BOIN'?)");
        assert_eq!(hint("BION"), " (did you mean 'BOIN'?)");
        assert_eq!(hint("TITE CRM"), " (did you mean 'TITE-CRM'?)");
        assert_eq!(hint("Nope"), "");
        assert_eq!(super::edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn one_is_singular() {
        assert_eq!(super::count(1u32, "DLT"), "1 DLT");
        assert_eq!(super::count(0u32, "DLT"), "0 DLTs");
        assert_eq!(super::count(12u64, "patient"), "12 patients");
    }
}
