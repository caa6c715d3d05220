//! The tidy CSV tables (**contract**: file names and leading columns are fixed; columns are only
//! ever added at the end).

use crate::dose_finding::{Dose, StopReason};
use crate::results::OcTable;
use crate::results::{CorrectDecision, Method, TimedDoseSummary};

/// Leading columns of `oc_by_dose.csv`.
pub const OC_BY_DOSE_COLUMNS: [&str; 8] = [
    "truth",
    "design",
    "dose",
    "label",
    "true_dlt",
    "selected_pct",
    "patients_mean",
    "dlt_mean",
];

/// Leading columns of `summary.csv`.
pub const SUMMARY_COLUMNS: [&str; 9] = [
    "truth",
    "design",
    "trials",
    "correct_selection_pct",
    "stopped_early_pct",
    "patients_mean",
    "dlt_rate",
    "overdose_patients_pct",
    "overdose_selection_pct",
];

// Adding 0.0 turns −0.0 (an empty f64 sum) into 0.0.
fn pct(x: f64) -> String {
    format!("{:.3}", x + 0.0)
}

fn num(x: f64) -> String {
    format!("{:.4}", x + 0.0)
}

fn finish(writer: ::csv::Writer<Vec<u8>>) -> Vec<u8> {
    writer.into_inner().expect("writing to memory cannot fail")
}

/// Columns of `oc_by_dose.csv` after the contract's, in order: calendar-time runs only (empty
/// otherwise). Means are per trial; TEAE bounds are the mean 95% Clopper–Pearson interval of the
/// dose's TEAE incidence over trials that treated it.
pub const OC_BY_DOSE_EXTRA_COLUMNS: [&str; 12] = [
    "step_up_patients_mean",
    "step_up_dlt_mean",
    "crs_dlt_mean",
    "backfill_patients_mean",
    "expansion_patients_mean",
    "response_mean",
    "teae_mean",
    "teae_incidence",
    "teae_ci_lower_mean",
    "teae_ci_upper_mean",
    "rp2d_pct",
    "correct_rp2d",
];

/// `oc_by_dose.csv`: one row per truth × design × dose.
pub fn oc_by_dose(table: &OcTable) -> Vec<u8> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(OC_BY_DOSE_COLUMNS.iter().chain(&OC_BY_DOSE_EXTRA_COLUMNS))
        .expect("in memory");
    for row in &table.rows {
        for (i, label) in table.dose_labels.iter().enumerate() {
            let dose = Dose(i as u16);
            let mut record = vec![
                row.truth.clone(),
                row.design.clone(),
                dose.level().to_string(),
                label.clone(),
                row.true_dlt[i].to_string(),
                pct(row.selected_pct(dose)),
                num(row.patients_mean(dose)),
                num(row.dlt_mean(dose)),
            ];
            match &row.timing {
                Some(t) => {
                    let d = &t.doses[i];
                    let patients = row.patients_mean(dose);
                    let incidence = if patients > 0.0 { d.teae_mean / patients } else { 0.0 };
                    record.extend(
                        [
                            d.step_up_patients_mean,
                            d.step_up_dlt_mean,
                            d.crs_dlt_mean,
                            d.backfill_patients_mean,
                            d.expansion_patients_mean,
                            d.response_mean,
                            d.teae_mean,
                            incidence,
                            d.teae_ci_lower_mean,
                            d.teae_ci_upper_mean,
                        ]
                        .map(num),
                    );
                    record.push(pct(d.rp2d_pct));
                    record.push(u8::from(t.correct_rp2d == Some(dose)).to_string());
                }
                None => record.extend(std::iter::repeat_n(String::new(), OC_BY_DOSE_EXTRA_COLUMNS.len())),
            }
            w.write_record(record).expect("in memory");
        }
    }
    finish(w)
}

/// Columns of `summary.csv` after the contract's, in order.
pub const SUMMARY_EXTRA_COLUMNS: [&str; 27] = [
    "correct_decision",
    "patients_sd",
    "dlt_mean",
    "selected_none_pct",
    "stop_design_complete_pct",
    "stop_too_toxic_pct",
    "stop_max_patients_pct",
    "stop_enough_at_dose_pct",
    "method",
    "exact_states",
    "target",
    "duration_mean",
    "duration_median",
    "duration_p90",
    "waited_mean",
    "wait_mean",
    "turned_away_mean",
    "correct_rp2d",
    "rp2d_correct_pct",
    "rp2d_none_pct",
    "step_up_patients_pct",
    "selected_step_up_pct",
    "correct_as_given_pct",
    "overdose_selection_as_given_pct",
    "crs_dlt_mean",
    "backfill_patients_mean",
    "expansion_patients_mean",
];

/// `summary.csv`: one row per truth × design.
pub fn summary(table: &OcTable) -> Vec<u8> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(SUMMARY_COLUMNS.iter().chain(&SUMMARY_EXTRA_COLUMNS))
        .expect("in memory");
    for row in &table.rows {
        let correct = match row.correct {
            CorrectDecision::Select(d) => d.level().to_string(),
            CorrectDecision::Stop => "stop".to_string(),
        };
        let mut record = vec![
            row.truth.clone(),
            row.design.clone(),
            match row.method {
                Method::Simulated { trials } => trials.to_string(),
                Method::Exact { .. } => "exact".to_string(),
            },
            pct(row.correct_selection_pct()),
            pct(row.stopped_early_pct()),
            num(row.total_patients_mean()),
            num(row.dlt_rate()),
            pct(row.overdose_patients_pct()),
            pct(row.overdose_selection_pct()),
            correct,
            num(row.total_patients_sd()),
            num(row.total_dlt_mean()),
            pct(row.stopped_early_pct()),
        ];
        record.extend(StopReason::ALL.iter().map(|&r| pct(row.stop_pct(r))));
        let (method, states) = match row.method {
            Method::Simulated { .. } => ("simulated", String::new()),
            Method::Exact { states } => ("exact", states.to_string()),
        };
        record.extend([method.to_string(), states, table.target.to_string()]);
        // Calendar time (months), when simulated.
        // Calendar time (months) and the protocol's other outcomes, when simulated.
        match &row.timing {
            Some(t) => {
                record.extend(
                    [
                        t.duration_mean,
                        t.duration_median,
                        t.duration_p90,
                        t.waited_mean,
                        t.wait_mean,
                        t.turned_away_mean,
                    ]
                    .map(num),
                );
                record.push(
                    t.correct_rp2d
                        .map_or_else(|| "stop".to_string(), |d| d.level().to_string()),
                );
                record.extend(
                    [
                        t.rp2d_correct_pct(),
                        t.rp2d_none_pct,
                        t.step_up_patients_pct(row.total_patients_mean()),
                        t.selected_step_up_pct,
                        t.correct_as_given_pct,
                        t.overdose_as_given_pct,
                    ]
                    .map(pct),
                );
                let total = |f: fn(&TimedDoseSummary) -> f64| num(t.doses.iter().map(f).sum());
                record.extend([
                    total(|d| d.crs_dlt_mean),
                    total(|d| d.backfill_patients_mean),
                    total(|d| d.expansion_patients_mean),
                ]);
            }
            None => {
                let first = SUMMARY_EXTRA_COLUMNS.iter().position(|&c| c == "duration_mean");
                let calendar = SUMMARY_EXTRA_COLUMNS.len() - first.expect("a calendar-time column");
                record.extend(std::iter::repeat_n(String::new(), calendar));
            }
        }
        w.write_record(record).expect("in memory");
    }
    finish(w)
}
