//! `trialsim survival-size`: prints the sample size (and optionally the power) of the one-sample
//! log-rank test against a historical median, computed by [`trialsim::planning::survival`].

use super::say;
use anyhow::{anyhow, bail, Result};
use trialsim::designs::single_arm::{LogRankStatistic, WeibullSurvival};
use trialsim::planning::{Alternative, SurvivalSize, SurvivalSizeError};

/// The examples under `trialsim survival-size --help`.
pub const EXAMPLES: &str = "Examples:
  trialsim survival-size --median0 10 --median1 15 --accrual 18 --followup 12
  trialsim survival-size --median0 10 --median1 15 --accrual 18 --followup 12 --n 56
  trialsim survival-size --median0 10 --median1 15 --accrual 18 --followup 12 --statistic wu
  trialsim survival-size --median0 9 --hazard-ratio 0.5714 --shape 1.22 --accrual 5 --followup 3";

/// The arguments of `trialsim survival-size`.
#[derive(clap::Args)]
pub struct Args {
    /// Historical (null) median survival, in months.
    #[arg(long)]
    median0: f64,
    /// Median survival under H1; or give --hazard-ratio.
    #[arg(long, conflicts_with = "hazard_ratio")]
    median1: Option<f64>,
    /// Hazard ratio under H1 (below 1: longer survival).
    #[arg(long)]
    hazard_ratio: Option<f64>,
    /// Weibull shape of both curves (1: exponential).
    #[arg(long, default_value_t = 1.0)]
    shape: f64,
    /// Accrual duration (uniform), in months.
    #[arg(long)]
    accrual: f64,
    /// Follow-up after the last patient, in months.
    #[arg(long)]
    followup: f64,
    /// One-sided significance level.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Target power.
    #[arg(long, default_value_t = 0.8)]
    power: f64,
    /// Also report the power with this many patients (at least 1).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    n: Option<u32>,
    /// The test statistic: classical (E − O)/√E, or Wu's (2014) modified (E − O)/√((O + E)/2),
    /// whose type I error stays closer to the nominal level in small samples.
    #[arg(long, default_value = "classical", value_parser = ["classical", "wu"])]
    statistic: String,
}

/// Sizes the trial and prints the design, the sample size and the power.
pub fn execute(args: Args) -> Result<()> {
    let Args {
        median0,
        median1,
        hazard_ratio,
        shape,
        accrual,
        followup,
        alpha,
        power,
        n,
        statistic,
    } = args;
    let statistic = LogRankStatistic::from_name(&statistic).expect("clap checks the name");
    let null = WeibullSurvival::new(median0, shape)?;
    let alternative = match (median1, hazard_ratio) {
        (Some(m1), None) => Alternative::Median(m1),
        (None, Some(hr)) => Alternative::HazardRatio(hr),
        _ => bail!("give --median1 or --hazard-ratio"),
    };
    let size =
        SurvivalSize::new(null, alternative, (accrual, followup), alpha, power, statistic).map_err(|e| match e {
            SurvivalSizeError::Median1(m1) => anyhow!("--median1 must be positive, got {m1}"),
            SurvivalSizeError::Design(e) => e.into(),
        })?;
    let (hazard_ratio, needed) = (size.hazard_ratio, size.sample_size);
    say!("One-sample log-rank test against a historical Weibull curve (Wu 2015)");
    if statistic == LogRankStatistic::Wu {
        say!("statistic: Wu's (2014) modified (E - O)/sqrt((O + E)/2)");
    }
    say!(
        "median0 {median0} months, shape {shape}, hazard ratio {hazard_ratio:.4} (median1 {:.2} months)",
        size.median1()
    );
    say!("uniform accrual over {accrual} months, {followup} months more follow-up, one-sided alpha {alpha}");
    say!(
        "sample size for power {power}: {needed} (power {:.4})",
        size.design.power(needed)
    );
    if let Some(n) = n {
        say!("power with {n} patients: {:.4}", size.design.power(n));
    }
    Ok(())
}
