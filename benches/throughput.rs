//! Trials per second, measured by criterion (`cargo bench`; throughput is in elements, one element
//! being one simulated trial of one design under one truth).
//!
//! - `designs/…`: every design of every bundled scenario, alone, at 1 and 2 threads; those of
//!   `qls4131_full` measure the calendar-time engine (waiting designs with step-up, backfill and
//!   expansion, and the TITE designs deciding at every arrival).
//! - `trials/…`, `patients/…`, `doses/…`: how the cost of 3+3, BOIN and CRM grows with the number
//!   of trials (10^4 … 10^6), the sample size (36, 72, 144 patients) and the number of doses (6,
//!   12), on one thread. Early stopping is off in these, so trials use the whole sample size.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::path::Path;
use std::time::Duration;
use trialsim::run::{simulate_scenario, simulate_single_arm, RunOptions};
use trialsim::scenario::{AnyScenario, Scenario};

fn options(trials: u64, threads: usize) -> RunOptions {
    RunOptions {
        trials: Some(trials),
        seed: Some(1),
        threads,
        exact: false,
    }
}

/// Trials per truth for one measurement of a design: enough that thread start-up, graph warm-up
/// and model fits (a fixed cost per state visited) are mostly amortised, few enough that a sample
/// takes about a second.
fn trials_for(scenario: &AnyScenario, rule: &str) -> u64 {
    match scenario {
        AnyScenario::SingleArm(_) => 20_000,
        AnyScenario::DoseFinding(s) if s.timing.is_some() => 2_000,
        AnyScenario::DoseFinding(_) => match rule {
            "blrm" => 50_000,
            "crm" => 500_000,
            _ => 1_000_000,
        },
    }
}

fn bundled_designs(c: &mut Criterion) {
    let mut group = c.benchmark_group("designs");
    group.sample_size(10);
    for file in ["qls4131_escalation.toml", "qls4131_full.toml", "ql1706_es_sclc.toml"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
        let scenario = AnyScenario::load(&path).expect("bundled scenario is valid");
        let stem = file.trim_end_matches(".toml");
        match &scenario {
            AnyScenario::DoseFinding(s) => {
                for design in &s.designs {
                    let mut one = s.clone();
                    one.designs = vec![design.clone()];
                    let trials = trials_for(&scenario, design.rule_name());
                    group.throughput(Throughput::Elements(trials * s.truths.len() as u64));
                    for threads in [1, 2] {
                        let id = BenchmarkId::new(format!("{stem}/{}", design.name), format!("{threads} threads"));
                        group.bench_function(id, |b| {
                            b.iter(|| simulate_scenario(&one, &options(trials, threads), &|_| {}).expect("runs"))
                        });
                    }
                }
            }
            AnyScenario::SingleArm(s) => {
                for design in &s.designs {
                    let mut one = s.clone();
                    one.designs = vec![design.clone()];
                    let trials = trials_for(&scenario, "");
                    group.throughput(Throughput::Elements(trials * s.truths.len() as u64));
                    for threads in [1, 2] {
                        let id = BenchmarkId::new(format!("{stem}/{}", design.name), format!("{threads} threads"));
                        group.bench_function(id, |b| {
                            b.iter(|| simulate_single_arm(&one, &options(trials, threads), &|_| {}).expect("runs"))
                        });
                    }
                }
            }
        }
    }
    group.finish();
}

/// A scenario with `doses` levels (MTD in the middle), `max_patients` patients in cohorts of 3,
/// one truth and one design without early stopping.
fn sized(rule: &str, doses: usize, max_patients: usize) -> Scenario {
    let dlt: Vec<String> = (0..doses)
        .map(|d| format!("{:.3}", (0.225 * (d + 1) as f64 / (doses / 2) as f64).min(0.95)))
        .collect();
    let names: Vec<String> = (1..=doses).map(|d| format!("\"DL{d}\"")).collect();
    let design = match rule {
        "crm" => "rule = \"crm\"\nmodel = \"empiric\"\nskeleton = { halfwidth = 0.05, nu = 3 }".to_string(),
        other => format!("rule = \"{other}\""),
    };
    let text = format!(
        "name = \"sized\"\nkind = \"dose-finding\"\n[simulation]\ntrials = 1000\nseed = 1\n\
         [trial]\ndoses = [{}]\ntarget = 0.25\ncohort_size = 3\nmax_patients = {max_patients}\nstart_dose = 1\n\
         [[truth]]\nname = \"middle\"\ndlt = [{}]\n[[design]]\nname = \"{rule}\"\n{design}\n",
        names.join(", "),
        dlt.join(", "),
    );
    Scenario::parse(&text, Path::new("benches/sized.toml")).expect("sized scenario is valid")
}

/// Cases of a growth group: (benchmark parameter, doses, max_patients, trials for CRM and others).
type Case = (u64, usize, usize, [u64; 2]);

/// A criterion group timing 3+3, BOIN and CRM on `sized` scenarios, one thread.
fn growth_group(c: &mut Criterion, name: &str, cases: &[Case]) {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    for rule in ["3+3", "boin", "crm"] {
        for &(parameter, doses, max_patients, [crm, other]) in cases {
            let scenario = sized(rule, doses, max_patients);
            let trials = if rule == "crm" { crm } else { other };
            group.throughput(Throughput::Elements(trials));
            group.bench_function(BenchmarkId::new(rule, parameter), |b| {
                b.iter(|| simulate_scenario(&scenario, &options(trials, 1), &|_| {}).expect("runs"))
            });
        }
    }
    group.finish();
}

fn growth(c: &mut Criterion) {
    let trials: Vec<Case> = [10_000, 100_000, 1_000_000].map(|n| (n, 6, 36, [n, n])).into();
    growth_group(c, "trials", &trials);
    growth_group(
        c,
        "patients",
        &[36, 72, 144].map(|n| (n as u64, 6, n, [20_000, 200_000])),
    );
    growth_group(c, "doses", &[6, 12].map(|d| (d as u64, d, 36, [20_000, 200_000])));
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = bundled_designs, growth
}
criterion_main!(benches);
