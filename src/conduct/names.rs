//! A design named on the command line that the scenario lacks, with the closest name it has
//! ("did you mean …?").

use crate::core::words::did_you_mean;
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
        let hint = did_you_mean(name, designs.iter().map(String::as_str));
        UnknownDesign {
            file,
            name: name.to_string(),
            designs,
            hint,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_design_meant() {
        let designs: Vec<String> = ["3+3", "BOIN", "CRM", "BOIN titration", "TITE-CRM"]
            .map(String::from)
            .to_vec();
        let e = UnknownDesign::new("s.toml".into(), "boin", designs);
        assert!(e
            .to_string()
            .starts_with("s.toml: no design named 'boin' (did you mean 'BOIN'?); the designs are: 3+3"));
    }
}
