//! BOIN12's decision in words: the counts at the current dose against BOIN's boundaries, the
//! admissibility rules and the desirability scores that chose (what `trialsim next` prints).

use super::boin12::{Boin12Fit, Why, EXPLORE_AT};
use crate::designs::{Decision, Dose, Fit};

impl Boin12Fit<'_> {
    /// Why BOIN12 decided `decision` by rule `why`, with the numbers that decided.
    pub(super) fn explain(&self, decision: Decision, why: Why) -> String {
        let (data, config) = (self.data, self.design.config());
        let d = data.current_dose();
        let c = self.counts(d);
        let counts = format!(
            "{}/{} DLTs, {}/{} responses at dose {d}",
            c.dlts, c.patients, c.responses, c.patients
        );
        let table = self.design.boundaries();
        let at = c.patients as usize;
        let show = |b: Option<u32>| b.map_or("never".to_string(), |b| b.to_string());
        let scores = |doses: &mut dyn Iterator<Item = Dose>| {
            doses
                .map(|dose| format!("dose {dose} {:.1}", self.score(dose)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let target = match decision {
            Decision::Treat(next) => format!("treat at dose {next}"),
            other => other.to_string(),
        };
        match why {
            Why::LowestTooToxic => format!(
                "dose 1 has P(π_T > {}) > c_t = {} (BOIN's elimination boundary): every dose is too toxic; stop",
                config.phi_t, config.c_t
            ),
            Why::NoneAdmissible => format!(
                "no dose is admissible (P(π_T > {}) > {} or P(π_E < {}) > {} at each): stop",
                config.phi_t, config.c_t, config.phi_e, config.c_e
            ),
            Why::Deescalate => format!(
                "{counts}: {} DLTs ≥ {}, the de-escalation boundary at n = {}: {target} (the highest admissible dose below)",
                c.dlts,
                show(table.deescalate[at]),
                c.patients
            ),
            Why::Desirability { escalation_open } => {
                let n_star = if escalation_open {
                    String::new()
                } else {
                    format!(
                        "; n = {} ≥ N* = {} and {} DLTs > the escalation boundary {}: the dose above is not a candidate",
                        c.patients,
                        config.n_star,
                        c.dlts,
                        show(table.escalate[at])
                    )
                };
                let low = Dose(d.0.saturating_sub(1));
                let high = Dose((d.0 + 1).min(data.num_doses() as u16 - 1));
                format!(
                    "{counts}, below the de-escalation boundary {}{n_star}; desirability 100·P(U > u_b = {:.1}): {}: {target}",
                    show(table.deescalate[at]),
                    100.0 * config.benchmark(),
                    scores(&mut (low.0..=high.0).map(Dose).filter(|&x| self.admissible(x) || x == d))
                )
            }
            Why::ChosenInadmissible => format!("{counts}: no admissible dose among the candidates: {target}"),
            Why::Explore => format!(
                "{counts}: n ≥ {EXPLORE_AT} below the de-escalation boundary {} and the next admissible dose untried: {target} (dose exploration)",
                show(table.deescalate[at])
            ),
        }
    }
}
