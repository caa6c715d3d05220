//! The old paths of [`crate::designs`], kept while callers move to it (temporary: remove once the
//! command line and the engines import from `crate::designs`).

pub use crate::designs::interval::{boin, i3plus3, keyboard, mtpi2};
pub use crate::designs::*;

/// The old path of [`crate::designs::interval`], with the closed enum of interval rules that the
/// command line's `boundaries` still matches on (temporary: the command line should use
/// [`crate::designs::interval::IntervalRule::describe`] and
/// [`crate::designs::registry::interval_rule_names`]).
pub mod interval {
    use crate::designs::interval::IntervalRule as Open;
    pub use crate::designs::interval::*;
    use crate::designs::registry::interval_family;

    /// The four interval rules of the first release, as an enum (temporary, see the module).
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum IntervalRule {
        /// BOIN: φ1 (highest sub-therapeutic rate) and φ2 (lowest overly toxic rate).
        Boin {
            /// The highest sub-therapeutic DLT rate.
            phi1: f64,
            /// The lowest overly toxic DLT rate.
            phi2: f64,
        },
        /// Keyboard: target key [φ − `margin_left`, φ + `margin_right`].
        Keyboard {
            /// The target key's margin below the target.
            margin_left: f64,
            /// The target key's margin above the target.
            margin_right: f64,
        },
        /// mTPI-2: equivalence interval [φ − `epsilon1`, φ + `epsilon2`].
        Mtpi2 {
            /// The interval's margin below the target.
            epsilon1: f64,
            /// The interval's margin above the target.
            epsilon2: f64,
        },
        /// i3+3: equivalence interval [φ − `epsilon1`, φ + `epsilon2`].
        I3Plus3 {
            /// The interval's margin below the target.
            epsilon1: f64,
            /// The interval's margin above the target.
            epsilon2: f64,
        },
    }

    impl IntervalRule {
        /// BOIN with its published defaults for a target φ.
        pub fn boin(target: f64) -> IntervalRule {
            let (phi1, phi2) = IntervalRule::default_parameters("boin", target);
            IntervalRule::Boin { phi1, phi2 }
        }

        /// The rule `name` with its two parameters; `None` for another name.
        pub fn from_parts(name: &str, below: f64, above: f64) -> Option<IntervalRule> {
            Some(match name {
                "boin" => IntervalRule::Boin {
                    phi1: below,
                    phi2: above,
                },
                "keyboard" => IntervalRule::Keyboard {
                    margin_left: below,
                    margin_right: above,
                },
                "mtpi2" => IntervalRule::Mtpi2 {
                    epsilon1: below,
                    epsilon2: above,
                },
                "i3+3" => IntervalRule::I3Plus3 {
                    epsilon1: below,
                    epsilon2: above,
                },
                _ => return None,
            })
        }

        /// The names of the two parameters of the registered rule `name`, as scenario keys.
        pub fn parameter_names(name: &str) -> (&'static str, &'static str) {
            interval_family(name).map_or(("epsilon1", "epsilon2"), |family| family.parameters)
        }

        /// The published default parameters of the registered rule `name` at a target.
        pub fn default_parameters(name: &str, target: f64) -> (f64, f64) {
            interval_family(name).map_or((0.05, 0.05), |family| (family.defaults)(target))
        }

        /// See [`Open::check`].
        pub fn check(&self, target: f64) -> Result<(), (&'static str, String)> {
            Open::from(*self).check(target)
        }

        /// The scenario's `rule` name.
        pub fn name(&self) -> &'static str {
            Open::from(*self).name()
        }
    }

    impl From<IntervalRule> for Open {
        fn from(rule: IntervalRule) -> Open {
            let (name, below, above) = match rule {
                IntervalRule::Boin { phi1, phi2 } => ("boin", phi1, phi2),
                IntervalRule::Keyboard {
                    margin_left,
                    margin_right,
                } => ("keyboard", margin_left, margin_right),
                IntervalRule::Mtpi2 { epsilon1, epsilon2 } => ("mtpi2", epsilon1, epsilon2),
                IntervalRule::I3Plus3 { epsilon1, epsilon2 } => ("i3+3", epsilon1, epsilon2),
            };
            Open::from_parts(name, below, above).expect("a registered interval rule")
        }
    }
}
