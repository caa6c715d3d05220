//! The designs of a Simon two-stage search (Simon 1989) listed as a protocol compares them: the
//! minimax design, the admissible compromises (Jung et al. 2004) by increasing sample size, and
//! the optimal design, each with its exact operating characteristics.

use crate::designs::single_arm::{SimonDesigns, SimonSolution};

/// Which of a search's designs a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimonKind {
    /// The smallest maximum sample size.
    Minimax,
    /// A compromise between minimax and optimal (Jung et al. 2004).
    Admissible,
    /// The smallest expected sample size under p0.
    Optimal,
}

impl SimonKind {
    /// The kind as the table and the CSV name it: `minimax`, `admissible` or `optimal`.
    pub fn name(self) -> &'static str {
        match self {
            SimonKind::Minimax => "minimax",
            SimonKind::Admissible => "admissible",
            SimonKind::Optimal => "optimal",
        }
    }
}

/// A search's designs in the order of the listing: minimax, admissible by increasing n, optimal.
#[derive(Clone, Debug, PartialEq)]
pub struct SimonTable {
    /// Each design with its kind.
    pub rows: Vec<(SimonKind, SimonSolution)>,
}

/// The header of [`SimonTable::csv`].
pub const SIMON_CSV_HEADER: &str = "design,r1,n1,r,n,en_p0,pet_p0,alpha,power";

impl From<SimonDesigns> for SimonTable {
    fn from(designs: SimonDesigns) -> SimonTable {
        let rows = [(SimonKind::Minimax, designs.minimax)]
            .into_iter()
            .chain(designs.admissible.into_iter().map(|d| (SimonKind::Admissible, d)))
            .chain([(SimonKind::Optimal, designs.optimal)])
            .collect();
        SimonTable { rows }
    }
}

impl SimonTable {
    /// The listing as CSV: `SIMON_CSV_HEADER`, then one line per design with E\[N | p0\],
    /// PET(p0), alpha and power to four decimals.
    pub fn csv(&self) -> String {
        let mut text = format!("{SIMON_CSV_HEADER}\n");
        for (kind, s) in &self.rows {
            let d = &s.design;
            text.push_str(&format!(
                "{},{},{},{},{},{:.4},{:.4},{:.4},{:.4}\n",
                kind.name(),
                d.r1(),
                d.n1(),
                d.r(),
                d.n(),
                s.en_p0,
                s.pet_p0,
                s.alpha,
                s.power
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designs::single_arm::SimonSearch;

    /// Simon (1989), Table 1, p0 = 0.2, p1 = 0.4, alpha 0.05, beta 0.2: optimal 3/13, 12/43;
    /// minimax 4/18, 10/33.
    #[test]
    fn listing_runs_from_minimax_to_optimal() {
        let designs = SimonSearch::new(0.2, 0.4, 0.05, 0.2, 100).unwrap().run().unwrap();
        let table = SimonTable::from(designs);
        let kinds: Vec<SimonKind> = table.rows.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds.first(), Some(&SimonKind::Minimax));
        assert_eq!(kinds.last(), Some(&SimonKind::Optimal));
        assert!(kinds[1..kinds.len() - 1].iter().all(|&k| k == SimonKind::Admissible));
        let csv = table.csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], SIMON_CSV_HEADER);
        assert!(lines[1].starts_with("minimax,4,18,10,33,"), "{csv}");
        assert!(lines.last().unwrap().starts_with("optimal,3,13,12,43,"), "{csv}");
    }
}
