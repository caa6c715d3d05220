//! BOIN12's decision in words: the counts at the current dose against BOIN's boundaries, the
//! admissibility rules and the desirability scores that chose; and its OBD selection in words,
//! by the configured rule (what `trialsim next` prints).

use super::boin12::{Boin12Fit, Why, EXPLORE_AT};
use super::selection::{self, ObdSelection};
use crate::designs::{Decision, Dose, Fit};

/// `candidates` as "dose 1 52.2, dose 2 74.7" and the chosen one as "OBD dose 2" (or "no OBD").
fn chose(candidates: &[(Dose, f64)], fallback: Option<Dose>) -> String {
    let listed = candidates
        .iter()
        .map(|(dose, score)| format!("dose {dose} {score:.1}"))
        .collect::<Vec<_>>();
    let listed = if listed.is_empty() {
        "none".to_string()
    } else {
        listed.join(", ")
    };
    match selection::best(candidates).or(fallback) {
        Some(obd) => format!("{listed}: OBD dose {obd}"),
        None => format!("{listed}: no OBD"),
    }
}

/// The decision when dose 1 crossed BOIN's elimination boundary (BOIN12, U-BOIN).
pub(super) fn lowest_too_toxic(phi_t: f64, c_t: f64) -> String {
    format!("dose 1 has P(π_T > {phi_t}) > c_t = {c_t} (BOIN's elimination boundary): every dose is too toxic; stop")
}

/// The selection when dose 1 crossed BOIN's elimination boundary (BOIN12, U-BOIN).
pub(super) fn no_obd_too_toxic(phi_t: f64, c_t: f64) -> String {
    format!("dose 1 has P(π_T > {phi_t}) > c_t = {c_t}: every dose is too toxic, no OBD")
}

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
            Why::LowestTooToxic => lowest_too_toxic(config.phi_t, config.c_t),
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

    /// Why BOIN12 selects its OBD now ([`Fit::selected_dose`]), by the configured rule, with the
    /// MTD and the scores that chose.
    pub(super) fn explain_selection(&self) -> String {
        let (data, config) = (self.data, self.design.config());
        if !self.tox.admissible(Dose(0)) {
            return no_obd_too_toxic(config.phi_t, config.c_t);
        }
        match config.selection {
            ObdSelection::Authors => {
                let (mtd, candidates) = selection::authors_candidates(data, config, |d| self.admissible(d));
                format!(
                    "selection \"authors\": the isotonic DLT rates put the MTD at dose {mtd}; utility at the \
                     smoothed rates of the tried, admissible doses at or below it: {}",
                    chose(&candidates, None)
                )
            }
            ObdSelection::PosteriorMean => match self.tox.selected_dose() {
                None => "selection \"posterior_mean\": BOIN selects no MTD: no OBD".into(),
                Some(mtd) => {
                    let candidates = (0..=mtd.0)
                        .map(Dose)
                        .filter(|&d| data.patients(d) > 0 && self.admissible(d))
                        .map(|d| (d, 100.0 * config.utility.posterior_mean(&self.counts(d))))
                        .collect::<Vec<_>>();
                    format!(
                        "selection \"posterior_mean\": BOIN's isotonic MTD is dose {mtd}; posterior mean \
                         utility of the tried, admissible doses at or below it: {}",
                        chose(&candidates, Some(mtd))
                    )
                }
            },
            ObdSelection::Escalation => {
                let desirability = |d| self.design.desirability(&self.counts(d));
                match selection::escalation_candidates(data, config.phi_t, desirability) {
                    None => "selection \"escalation\": no dose tried: no OBD".into(),
                    Some((mtd, candidates)) => format!(
                        "selection \"escalation\": the isotonic MTD of the tried doses is dose {mtd}; \
                         desirability of every dose at or below it: {}",
                        chose(&candidates, None)
                    ),
                }
            }
        }
    }
}
