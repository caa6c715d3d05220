//! The counts of a run tagged with the engine that counted them, as shard files hold them.

use crate::engines::calendar::TimedCounts;
use crate::engines::dose_finding::OcCounts;
use crate::engines::single_arm::SingleArmResults;
use serde::{Deserialize, Serialize};

/// The simulated counts of one scenario (a sweep has one per point), tagged with the engine that
/// counted them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Counts {
    /// Indexed `[design][truth]`.
    DoseFinding(Vec<Vec<OcCounts>>),
    /// Calendar time, indexed `[design][truth]`.
    CalendarTime(Vec<Vec<TimedCounts>>),
    /// Single-arm.
    SingleArm(SingleArmResults),
}

/// An engine's counts, as [`Counts`] tags them.
pub trait Tagged: Sized {
    /// The counts, tagged.
    fn tag(self) -> Counts;
    /// The counts if `counts` holds this engine's.
    fn untag(counts: &Counts) -> Option<&Self>;
}

macro_rules! tagged {
    ($($variant:ident($counts:ty)),*) => {$(
        impl Tagged for $counts {
            fn tag(self) -> Counts {
                Counts::$variant(self)
            }

            fn untag(counts: &Counts) -> Option<&Self> {
                match counts {
                    Counts::$variant(c) => Some(c),
                    _ => None,
                }
            }
        }
    )*};
}

tagged!(
    DoseFinding(Vec<Vec<OcCounts>>),
    CalendarTime(Vec<Vec<TimedCounts>>),
    SingleArm(SingleArmResults)
);
