//! An interval design's decision in words: the counts at the current dose against the boundaries
//! in force at its n (what `trialsim next` prints as the rule that fired).

use super::{IntervalFit, Why};
use crate::designs::{Decision, Dose};

impl IntervalFit<'_> {
    /// Why the rule decided `decision` by branch `why`, with the counts, the boundaries at the
    /// current dose's n and the rule's parameters (e.g. "0/3 DLTs at dose 2 ≤ 0, the escalation
    /// boundary at n = 3: escalate to dose 3 (BOIN (Liu & Yuan 2015): target 0.25, …)").
    pub(super) fn explain(&self, decision: Decision, why: Why) -> String {
        let (design, data) = (self.design, self.data);
        let d = data.current_dose();
        let (n, y) = (data.patients(d), data.dlts(d));
        let table = &design.table;
        let at = n as usize;
        let counts = format!("{y}/{n} DLTs at dose {d}");
        let show = |b: Option<u32>| b.map_or("never".to_string(), |b| b.to_string());
        let what = match (why, decision) {
            (Why::LowestEliminated, _) => format!(
                "{counts} ≥ {}, the elimination boundary at n = {n} (P(p > {}) > {}): every dose is \
                 eliminated; stop",
                show(table.eliminate[at]),
                design.config.target,
                design.config.cutoff_eliminate
            ),
            (Why::LowestUnsafe, _) => format!(
                "{counts} ≥ {}, the extra-safety boundary at n = {n} (P(p > {}) > {} − {}): the lowest \
                 dose is too toxic; stop",
                show(table.lowest_dose_stop[at]),
                design.config.target,
                design.config.cutoff_eliminate,
                design.config.offset
            ),
            (Why::EarlyStop, _) => format!(
                "{n} patients at dose {d}, at least n_earlystop = {}: stop",
                design.config.n_earlystop
            ),
            (Why::Escalate, Decision::Treat(next)) => {
                let rule = format!(
                    "{counts} ≤ {}, the escalation boundary at n = {n}",
                    show(table.escalate[at])
                );
                if next > d {
                    format!("{rule}: escalate to dose {next}")
                } else if usize::from(d.0) + 1 == data.num_doses() {
                    format!("{rule}, but dose {d} is the highest: stay")
                } else {
                    format!("{rule}, but dose {} is eliminated: stay", Dose(d.0 + 1))
                }
            }
            (Why::Deescalate, Decision::Treat(next)) => {
                let rule = format!(
                    "{counts} ≥ {}, the de-escalation boundary at n = {n}",
                    show(table.deescalate[at])
                );
                if next < d {
                    format!("{rule}: de-escalate to dose {next}")
                } else {
                    format!("{rule}, but dose {d} is the lowest: stay")
                }
            }
            (Why::Stay, _) => format!(
                "{counts}, above the escalation boundary ({}) and below the de-escalation boundary ({}) \
                 at n = {n}: stay",
                show(table.escalate[at]),
                show(table.deescalate[at])
            ),
            (_, other) => unreachable!("an interval rule escalates or de-escalates by treating, not {other}"),
        };
        let eliminated = self
            .first_eliminated
            .map(|e| format!("; doses {e} and above are eliminated"))
            .unwrap_or_default();
        format!(
            "{what}{eliminated} [{}]",
            design.config.rule.describe(design.config.target)
        )
    }
}
