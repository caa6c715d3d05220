//! Dose levels and the dose space a trial moves in.

use std::fmt;

/// A dose level: 0-based inside the library, 1-based in files, output and messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dose(pub u16);

impl Dose {
    /// The dose at 1-based `level`.
    pub fn from_level(level: usize) -> Dose {
        debug_assert!(level >= 1);
        Dose((level - 1) as u16)
    }
    /// 0-based index into per-dose arrays.
    pub fn index(self) -> usize {
        self.0 as usize
    }
    /// 1-based dose level, as users number doses.
    pub fn level(self) -> usize {
        self.0 as usize + 1
    }
}

impl fmt::Display for Dose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.level())
    }
}

/// The doses a trial can give: today a line of `K` levels, lowest first.
///
/// Designs move through it only by [`DoseSpace::above`] and [`DoseSpace::below`] (the next higher
/// and next lower dose), never by arithmetic on [`Dose`], so that a grid of two agents' doses
/// (where "higher" has several neighbours) can be added without rewriting designs that only need
/// those two steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DoseSpace {
    num_doses: u16,
}

impl DoseSpace {
    /// A line of `num_doses` levels (at least one).
    pub fn line(num_doses: usize) -> DoseSpace {
        debug_assert!(num_doses >= 1 && num_doses <= usize::from(u16::MAX));
        DoseSpace {
            num_doses: num_doses as u16,
        }
    }
    /// Number of dose levels.
    pub fn len(self) -> usize {
        usize::from(self.num_doses)
    }
    /// Whether the space has no dose (never, for a valid scenario).
    pub fn is_empty(self) -> bool {
        self.num_doses == 0
    }
    /// Every dose, lowest first.
    pub fn doses(self) -> impl DoubleEndedIterator<Item = Dose> + ExactSizeIterator {
        (0..self.num_doses).map(Dose)
    }
    /// The lowest dose.
    pub fn lowest(self) -> Dose {
        Dose(0)
    }
    /// The highest dose.
    pub fn highest(self) -> Dose {
        Dose(self.num_doses - 1)
    }
    /// The next higher dose, if `dose` is not the highest.
    pub fn above(self, dose: Dose) -> Option<Dose> {
        (dose.0 + 1 < self.num_doses).then(|| Dose(dose.0 + 1))
    }
    /// The next lower dose, if `dose` is not the lowest.
    pub fn below(self, dose: Dose) -> Option<Dose> {
        dose.0.checked_sub(1).map(Dose)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_steps_one_level_and_stops_at_its_ends() {
        let space = DoseSpace::line(3);
        assert_eq!(space.doses().collect::<Vec<_>>(), [Dose(0), Dose(1), Dose(2)]);
        assert_eq!(space.above(Dose(1)), Some(Dose(2)));
        assert_eq!(space.above(space.highest()), None);
        assert_eq!(space.below(Dose(1)), Some(Dose(0)));
        assert_eq!(space.below(space.lowest()), None);
        assert_eq!(Dose::from_level(3).level(), 3);
    }
}
