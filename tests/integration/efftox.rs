//! EffTox (Thall & Cook 2004) against the R package trialr's worked example and the MD Anderson
//! EffTox program's numbers, its scenario keys, and its speed.

use crate::common::scenario;
use std::path::Path;
use std::time::Instant;
use trialsim::core::EfficacyCounts;
use trialsim::designs::efftox::model::{inv_logit, linear_predictors};
use trialsim::designs::efftox::{EffTox, EffToxConfig, EffToxFit};
use trialsim::designs::{Decision, Design, Dose, Fit, TrialData};
use trialsim::scenario::Scenario;

/// Thall et al. (2014)'s prostate cancer parametrisation, as trialr's `stan_efftox_demo`.
fn demo() -> EffTox {
    EffTox::new(EffToxConfig::thall_2014(vec![1.0, 2.0, 4.0, 6.6, 10.0], 0.3))
}

/// Data from per-dose (patients, DLTs, responses, responses with a DLT).
fn data(counts: &[(u16, [u32; 4])]) -> TrialData {
    let mut data = TrialData::with_efficacy(5);
    for &(level, [patients, dlts, responses, responses_with_dlt]) in counts {
        let outcomes = EfficacyCounts {
            patients,
            dlts,
            responses,
            responses_with_dlt,
        };
        data.add_cohort_outcomes(Dose::from_level(level.into()), outcomes);
    }
    data
}

/// The posterior standard deviations of π_E and π_T at `dose`.
fn posterior_sds(design: &EffTox, fit: &EffToxFit, dose: usize) -> (f64, f64) {
    let logs: Vec<f64> = design.config().dose_amounts.iter().map(|d| d.ln()).collect();
    let x = logs[dose] - logs.iter().sum::<f64>() / logs.len() as f64;
    let a = fit.assessments()[dose];
    let post = fit.posterior();
    let (mut ve, mut vt) = (0.0, 0.0);
    for (theta, w) in post.thetas.iter().zip(&post.weights) {
        let (eta_e, eta_t) = linear_predictors(theta, x);
        ve += w * (inv_logit(eta_e) - a.prob_eff).powi(2);
        vt += w * (inv_logit(eta_t) - a.prob_tox).powi(2);
    }
    (ve.sqrt(), vt.sqrt())
}

/// trialr's EffTox vignette (trialr 0.1.5.9001, vignettes/A400-EffTox.Rmd, printed in
/// docs/articles/A400-EffTox.html): `stan_efftox_demo('1NNE 2EEB', seed = 123)`, 4 chains of 1,000
/// draws after warm-up, prints
///
/// | dose | ProbEff | ProbTox | ProbAccEff | ProbAccTox | Utility | Acceptable |
/// |---|---|---|---|---|---|---|
/// | 1 | 0.402 | 0.088 | 0.333 | 0.927 | −0.342 | TRUE |
/// | 2 | 0.789 | 0.103 | 0.943 | 0.921 | 0.412 | TRUE |
/// | 3 | 0.929 | 0.225 | 0.984 | 0.718 | 0.506 | TRUE |
/// | 4 | 0.955 | 0.315 | 0.983 | 0.617 | 0.420 | FALSE (not yet within reach) |
/// | 5 | 0.964 | 0.372 | 0.980 | 0.561 | 0.349 | FALSE (not yet within reach) |
///
/// and recommends dose 3. Its Monte Carlo standard error is at most σ/√1000 for a posterior mean
/// of posterior SD σ (taking an effective sample size of 1,000 of the 4,000 draws), √(p(1 − p)/1000)
/// for a probability, and for the utility (a function of both means) the sum of both errors times
/// the desirability's slopes. Each printed number lies within 4 such errors (plus 0.0005 of
/// rounding and 0.01 for our own integration error) of ours.
#[test]
fn reproduces_the_trialr_vignette() {
    let design = demo();
    let d = data(&[(1, [3, 0, 1, 0]), (2, [3, 1, 3, 1])]);
    let fit = design.fit(&d);
    let printed = [
        [0.402, 0.088, 0.333, 0.927, -0.342],
        [0.789, 0.103, 0.943, 0.921, 0.412],
        [0.929, 0.225, 0.984, 0.718, 0.506],
        [0.955, 0.315, 0.983, 0.617, 0.420],
        [0.964, 0.372, 0.980, 0.561, 0.349],
    ];
    let ess = 1000f64;
    let contour = design.contour();
    for (dose, row) in printed.iter().enumerate() {
        let a = fit.assessments()[dose];
        let (sd_e, sd_t) = posterior_sds(&design, &fit, dose);
        let (se_e, se_t) = (sd_e / ess.sqrt(), sd_t / ess.sqrt());
        let h = 1e-6;
        let slope_e = (contour.desirability(a.prob_eff + h, a.prob_tox) - a.desirability) / h;
        let slope_t = (contour.desirability(a.prob_eff, a.prob_tox + h) - a.desirability) / h;
        let se = |p: f64| (p * (1.0 - p) / ess).sqrt();
        let ours = [a.prob_eff, a.prob_tox, a.prob_acc_eff, a.prob_acc_tox, a.desirability];
        let errors = [
            se_e,
            se_t,
            se(a.prob_acc_eff),
            se(a.prob_acc_tox),
            slope_e.abs() * se_e + slope_t.abs() * se_t,
        ];
        for k in 0..5 {
            let z = (ours[k] - row[k]).abs() / errors[k];
            let allowed = 4.0 * errors[k] + 0.0005 + 0.01;
            assert!(
                (ours[k] - row[k]).abs() < allowed,
                "dose {} column {k}: ours {:.4}, trialr {}, {z:.1} standard errors",
                dose + 1,
                ours[k],
                row[k]
            );
        }
    }
    assert_eq!(fit.decision(), Decision::Treat(Dose(2)));
    assert_eq!(fit.selected_dose(), Some(Dose(2)));
    assert!((0..3).all(|d| fit.admissible(Dose(d))));
}

/// The MD Anderson EffTox program's posterior for Thall et al. (2014)'s example, to two decimals,
/// as trialr 0.1.5 tests/testthat/test_stan_efftox.R records it ("the expected values are taken
/// from the MD Anderson app"; trialr accepts its own MCMC within 0.05, the app itself integrating
/// numerically). Ours agree within 0.02: the printed rounding (0.005) plus both programs'
/// integration errors.
#[test]
fn reproduces_the_md_anderson_program() {
    let design = demo();
    let cases = [
        (
            "1NNN 2ENN",
            data(&[(1, [3, 0, 0, 0]), (2, [3, 0, 1, 0])]),
            [
                [0.05, 0.26, 0.72, 0.86, 0.91],
                [0.01, 0.01, 0.02, 0.06, 0.12],
                [0.01, 0.13, 0.80, 0.91, 0.94],
                [1.00, 1.00, 0.98, 0.93, 0.86],
                [-0.91, -0.47, 0.42, 0.64, 0.64],
            ],
        ),
        (
            "1NNN 2ENN 3ETB",
            data(&[(1, [3, 0, 0, 0]), (2, [3, 0, 1, 0]), (3, [3, 2, 2, 1])]),
            [
                [0.06, 0.24, 0.71, 0.89, 0.94],
                [0.02, 0.06, 0.41, 0.77, 0.87],
                [0.01, 0.07, 0.85, 0.97, 0.98],
                [1.00, 0.98, 0.36, 0.08, 0.05],
                [-0.92, -0.63, -0.24, -0.41, -0.47],
            ],
        ),
    ];
    for (text, d, expected) in cases {
        let fit = design.fit(&d);
        for (dose, a) in fit.assessments().iter().enumerate() {
            let ours = [a.prob_eff, a.prob_tox, a.prob_acc_eff, a.prob_acc_tox, a.desirability];
            for (k, (value, row)) in ours.iter().zip(&expected).enumerate() {
                assert!(
                    (value - row[dose]).abs() < 0.02,
                    "{text}, dose {}, quantity {k}: ours {value:.4}, the program's {}",
                    dose + 1,
                    row[dose]
                );
            }
        }
    }
}

/// trialr's EffTox demo as a scenario: Thall et al. (2014)'s parametrisation (the keys'
/// defaults), doses 1, 2, 4, 6.6, 10, toxicity hurdle 0.3 (the target), cohorts of 3.
pub const SCENARIO: &str = r#"
name = "efftox"
[simulation]
trials = 100
seed = 1
[trial]
doses = ["1", "2", "4", "6.6", "10"]
target = 0.3
cohort_size = 3
max_patients = 39
start_dose = 1
[[truth]]
name = "t1"
dlt = [0.05, 0.10, 0.15, 0.20, 0.40]
efficacy = [0.20, 0.40, 0.60, 0.65, 0.70]
[[design]]
name = "EffTox"
rule = "efftox"
dose_amounts = [1.0, 2.0, 4.0, 6.6, 10.0]
"#;

/// The keys' defaults are Thall et al. (2014)'s, the toxicity hurdle `[trial] target`.
#[test]
fn scenario_keys_default_to_thall_2014() {
    let s = scenario(SCENARIO);
    let settings = s.designs[0].base.settings();
    for words in [
        "efficacy_hurdle = 0.5, toxicity_hurdle = 0.3, p_e = 0.1, p_t = 0.1",
        "eff0 = 0.5, tox1 = 0.65, eff_star = 0.7, tox_star = 0.25",
        "prior_mean = [-7.9593, 1.5482, 0.7367, 3.4181, 0, 0]",
        "prior_sd = [3.5487, 3.5018, 2.5423, 2.4406, 0.2, 1]",
    ] {
        assert!(settings.contains(words), "'{words}' not in {settings}");
    }
    let design = &s.build_designs()[0];
    assert!(design.uses_efficacy() && design.cache_decisions());
}

/// A phase I/II design under a truth without efficacy is refused naming the truth; in calendar
/// time it runs.
#[test]
fn efftox_needs_efficacy_truths_and_runs_in_calendar_time() {
    let without = SCENARIO.replace("efficacy = [0.20, 0.40, 0.60, 0.65, 0.70]\n", "");
    let e = trialsim::scenario::Scenario::parse(&without, std::path::Path::new("t.toml")).unwrap_err();
    assert!(e.to_string().contains("truth 't1' gives no efficacy"), "{e}");
    let timed = SCENARIO.replace(
        "[[truth]]",
        "[timing]\narrival = { rate = 2.0 }\ndlt_window = 1.0\n[[truth]]",
    );
    let s = trialsim::scenario::Scenario::parse(&timed, std::path::Path::new("t.toml")).unwrap();
    assert!(s.timing.is_some() && s.build_designs()[0].uses_efficacy());
}

/// Bad keys are refused naming the field and the problem.
#[test]
fn bad_keys_are_refused() {
    let with = |extra: &str| SCENARIO.replace("dose_amounts = [1.0, 2.0, 4.0, 6.6, 10.0]", extra);
    for (text, words) in [
        (with("dose_amounts = [1.0, 2.0, 4.0]"), "design[1].dose_amounts"),
        (
            with("dose_amounts = [1.0, 2.0, 4.0, 4.0, 10.0]"),
            "must increase strictly",
        ),
        (
            with("dose_amounts = [1.0, 2.0, 4.0, 6.6, 10.0]\neff_star = 0.4"),
            "eff_star must be above eff0",
        ),
        (
            with("dose_amounts = [1.0, 2.0, 4.0, 6.6, 10.0]\ntox_star = 0.7"),
            "tox_star must be below tox1",
        ),
        (
            with("dose_amounts = [1.0, 2.0, 4.0, 6.6, 10.0]\np_e = 1.0"),
            "design[1].p_e",
        ),
        (
            with("dose_amounts = [1.0, 2.0, 4.0, 6.6, 10.0]\nprior_sd = [1, 1, 1, 1, 0, 1]"),
            "entry 5 must be positive",
        ),
        (
            with("dose_amounts = [1.0, 2.0, 4.0, 6.6, 10.0]\nprior_mean = [0, 0]"),
            "prior_mean",
        ),
        (
            with("dose_amounts = [1.0, 2.0, 4.0, 6.6, 10.0]\nhurdle = 0.5"),
            "hurdle",
        ),
    ] {
        let message = match Scenario::parse(&text, Path::new("bad.toml")) {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => e.to_string(),
        };
        assert!(message.contains("bad.toml"), "{message}");
        assert!(message.contains(words), "'{words}' not in {message}");
    }
}

/// Fits per second on one thread, over the states of a full trial (reported by `cargo test
/// --release efftox -- --nocapture`; asserted only to stay above 50/s).
#[test]
fn fits_per_second() {
    let design = demo();
    let states = [
        data(&[(1, [3, 0, 1, 0])]),
        data(&[(1, [3, 0, 1, 0]), (2, [3, 1, 3, 1])]),
        data(&[(1, [3, 0, 0, 0]), (2, [3, 0, 1, 0]), (3, [3, 2, 2, 1])]),
        data(&[
            (1, [3, 0, 1, 0]),
            (2, [6, 1, 3, 1]),
            (3, [9, 2, 6, 1]),
            (4, [12, 4, 9, 3]),
        ]),
    ];
    let start = Instant::now();
    let mut fits = 0u32;
    while fits < 200 {
        for d in &states {
            std::hint::black_box(design.fit(d).selected_dose());
            fits += 1;
        }
    }
    let rate = f64::from(fits) / start.elapsed().as_secs_f64();
    eprintln!("EffTox: {rate:.0} fits/s on one thread");
    assert!(rate > 50.0, "{rate:.0} fits/s");
}

/// An independent evaluation of the same posteriors in R (tests/fixtures/efftox_prior_importance.R:
/// 4 million prior draws weighted by the likelihood, written afresh, no Laplace step, no
/// quasi-random points): every posterior mean and acceptability probability within 4 of its
/// standard errors plus our integration error (0.005 for means, 0.015 for probabilities, as
/// checked against the brute force in src/designs/efftox/tests.rs).
#[test]
fn matches_an_independent_evaluation_in_r() {
    let design = demo();
    let text =
        std::fs::read_to_string(crate::common::root().join("tests/fixtures/efftox_prior_importance.csv")).unwrap();
    let cases = [
        ("1NNE 2EEB", data(&[(1, [3, 0, 1, 0]), (2, [3, 1, 3, 1])])),
        ("1NNN 2ENN", data(&[(1, [3, 0, 0, 0]), (2, [3, 0, 1, 0])])),
        (
            "1NNN 2ENN 3ETB",
            data(&[(1, [3, 0, 0, 0]), (2, [3, 0, 1, 0]), (3, [3, 2, 2, 1])]),
        ),
    ];
    let fits: Vec<_> = cases.iter().map(|(name, d)| (*name, design.fit(d))).collect();
    let mut rows = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (_, fit) = fits.iter().find(|(name, _)| *name == f[0]).expect("a known case");
        let a = fit.assessments()[f[1].parse::<usize>().unwrap() - 1];
        let (ours, tolerance) = match f[2] {
            "prob_eff" => (a.prob_eff, 0.005),
            "prob_tox" => (a.prob_tox, 0.005),
            "prob_acc_eff" => (a.prob_acc_eff, 0.015),
            "prob_acc_tox" => (a.prob_acc_tox, 0.015),
            other => panic!("quantity {other}"),
        };
        let (value, se): (f64, f64) = (f[3].parse().unwrap(), f[4].parse().unwrap());
        assert!((ours - value).abs() < 4.0 * se + tolerance, "{line}: ours {ours:.5}");
        rows += 1;
    }
    assert_eq!(rows, 60);
}

/// `run`'s console table gives a phase I/II design's correct selection of the true OBD (as in
/// obd_summary.csv), not of the MTD, and says so.
#[test]
fn console_correct_is_the_obd_selection() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("e.toml"), SCENARIO).unwrap();
    let out = crate::common::run_ok(&["run", "e.toml", "--trials", "40", "--out", "o"], dir.path());
    let text = crate::common::stdout(&out);
    assert!(text.contains("its selection of the true OBD"), "{text}");
    let summary = std::fs::read_to_string(dir.path().join("o/e/obd_summary.csv")).unwrap();
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = summary.lines().nth(1).unwrap().split(',').collect();
    let column = header.iter().position(|&h| h == "obd_correct_pct").unwrap();
    let pct: f64 = row[column].parse().unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("t1") && l.contains("EffTox"))
        .unwrap();
    let shown: f64 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!((shown - pct).abs() < 0.051, "console {shown}, obd_summary.csv {pct}");
}

/// `--exact` on a scenario mixing EffTox with BOIN12 computes BOIN12 exactly and simulates EffTox
/// (whose numerical posterior in every reachable state would take hours), with a note naming it,
/// in bounded time instead of enumerating EffTox's states.
#[test]
fn exact_runs_simulate_efftox_and_enumerate_boin12() {
    use trialsim::results::Method;
    use trialsim::run::{simulate_scenario, RunOptions};
    let text = SCENARIO.replace("max_patients = 39", "max_patients = 12")
        + "[[design]]\nname = \"BOIN12\"\nrule = \"boin12\"\n";
    let options = RunOptions {
        trials: Some(40),
        seed: Some(7),
        threads: 2,
        exact: true,
    };
    let (table, notes) = simulate_scenario(&scenario(&text), &options, &|_| {}).unwrap();
    let method = |design: &str| table.rows.iter().find(|r| r.design == design).unwrap().method;
    assert!(matches!(method("EffTox"), Method::Simulated { trials: 40 }));
    assert!(matches!(method("BOIN12"), Method::Exact { .. }));
    let note = notes.iter().find(|n| n.design == "EffTox").expect("a note on EffTox");
    let why = note.outcome.as_ref().unwrap_err();
    assert!(
        why.contains("efftox has no exact enumeration") && why.ends_with("simulated instead"),
        "{why}"
    );
}
