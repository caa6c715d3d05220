//! A design named on the command line that the scenario lacks, with the closest name it has
//! ("did you mean …?").

use std::path::PathBuf;

/// The scenario has no `[[design]]` of the name asked for.
#[derive(Debug, thiserror::Error)]
#[error("{}: no design named '{name}'{hint}; the designs are: {}", file.display(), designs.join(", "))]
pub struct UnknownDesign {
    /// The scenario file.
    pub file: PathBuf,
    /// The name asked for.
    pub name: String,
    /// The scenario's design names, in file order.
    pub designs: Vec<String>,
    /// " (did you mean 'X'?)" when a design's name is close, or empty.
    pub hint: String,
}

impl UnknownDesign {
    /// The error for `name` among `designs` (of the scenario in `file`).
    pub fn new(file: PathBuf, name: &str, designs: Vec<String>) -> UnknownDesign {
        let hint = closest(name, &designs).map_or(String::new(), |d| format!(" (did you mean '{d}'?)"));
        UnknownDesign {
            file,
            name: name.to_string(),
            designs,
            hint,
        }
    }
}

/// The candidate equal to `name` but for case, or else the one within an edit distance of 2
/// (the nearest; the first on ties).
fn closest<'a>(name: &str, candidates: &'a [String]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    if let Some(same) = candidates.iter().find(|c| c.to_lowercase() == lower) {
        return Some(same);
    }
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c.as_str())
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
    use super::*;

    #[test]
    fn suggests_the_design_meant() {
        let designs: Vec<String> = ["3+3", "BOIN", "CRM", "BOIN titration", "TITE-CRM"]
            .map(String::from)
            .to_vec();
        assert_eq!(closest("boin", &designs), Some("BOIN"));
        assert_eq!(closest("BION", &designs), Some("BOIN"));
        assert_eq!(closest("TITE CRM", &designs), Some("TITE-CRM"));
        assert_eq!(closest("Nope", &designs), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let e = UnknownDesign::new("s.toml".into(), "boin", designs);
        assert!(e
            .to_string()
            .starts_with("s.toml: no design named 'boin' (did you mean 'BOIN'?); the designs are: 3+3"));
    }
}
