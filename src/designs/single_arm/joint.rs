//! BOP2 with joint efficacy and toxicity monitoring (Zhou, Lee & Yuan 2017, *Statistics in
//! Medicine* 36:3302–3314, section 2 "multiple endpoints").
//!
//! Each patient has one of four outcomes (response with and without toxicity, toxicity without
//! response, neither) with probabilities θ = (θ_RT, θ_RN, θ_NT, θ_NN) ([`JointOutcome`]). The
//! prior is Dirichlet(a·θ0), θ0 the null cell probabilities and a = 1 the effective sample size,
//! so the posterior marginals of the response rate p_E = θ_RT + θ_RN and of the toxicity rate
//! p_T = θ_RT + θ_NT are Beta(p0 + x, 1 − p0 + n − x) and Beta(t0 + t, 1 − t0 + n − t) after x
//! responses and t toxicities in n patients (the Dirichlet's aggregation property), whatever the
//! association. At each look n (the last is N) the trial stops
//! - for toxicity when Pr(p_T > t0 | data) > C_T(n) = 1 − λ·(n/N)^γ_T (checked first), or
//! - for futility when Pr(p_E ≤ p0 | data) > C(n) = 1 − λ·(n/N)^γ,
//!
//! and at N a trial stopped by neither rule declares the regimen promising. The futility half is a
//! [`Bop2`] with prior Beta(p0, 1 − p0) (its rule P(p_E > p0) < λ(n/N)^γ is the same inequality).
//! The toxicity exponent γ_T is γ/3 by default, as in the authors' group's code for joint
//! monitoring (the BOP2 app's `get_boundarycpp`, published in the GBOP2 package sources:
//! `ct = lambda_t*(nn/N)^(gamma/3)`); γ_T = γ is offered as [`ToxicityExponent::Gamma`].
//!
//! (λ, γ) are chosen on a grid to maximise the power under H1 (response p1, toxicity t1) with the
//! type I error at most α under the null: the paper's H0, the design's null cells (response p0,
//! toxicity t0), or, as an option, the composite null (the largest rejection probability over
//! futile-and-toxic (p0, t0), futile-but-safe (p0, t1) and effective-but-toxic (p1, t0); the
//! nulls Chen, Zhou, Lee & Yuan's BOP2-TE, 2024, controls). The operating characteristics are
//! exact: the joint distribution of (responses, toxicities) is carried from look to look by
//! convolution with the counts of the patients in between, and the stopped mass removed.

use super::bop2::{posterior_scores, Bop2};
use super::exact::{check_looks, check_target, BetaPrior, ExactDesign};
use super::sim::ToxicityRule;
use super::{open_unit, require, SingleArmError};
use std::collections::HashMap;

/// The four outcome probabilities of a patient: (response & toxicity, response only, toxicity
/// only, neither), from the marginal response and toxicity rates and their odds ratio ψ (1:
/// independent), as the authors' group's code sets its hypotheses (`scenario(Pr, Pt, phi)` in the
/// BOP2-TE code published with the GBOP2 sources): θ_RT = p_E·p_T when ψ = 1, else the root in
/// the Fréchet bounds of ψ = θ_RT·θ_NN / (θ_RN·θ_NT), θ_RT = (a − √(a² − 4ψ(ψ − 1)p_E·p_T)) /
/// (2(ψ − 1)) with a = 1 + (p_E + p_T)(ψ − 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JointOutcome {
    response: f64,
    toxicity: f64,
    odds_ratio: f64,
    cells: [f64; 4],
}

impl JointOutcome {
    /// Checks both rates in [0, 1] and the odds ratio finite and positive (named `odds_ratio`).
    pub fn new(response: f64, toxicity: f64, odds_ratio: f64) -> Result<JointOutcome, SingleArmError> {
        require((0.0..=1.0).contains(&response), "orr", response, "in [0, 1]")?;
        require((0.0..=1.0).contains(&toxicity), "p_tox", toxicity, "in [0, 1]")?;
        require(
            odds_ratio.is_finite() && odds_ratio > 0.0,
            "odds_ratio",
            odds_ratio,
            "finite and positive",
        )?;
        let both = if odds_ratio == 1.0 {
            response * toxicity
        } else {
            let a = 1.0 + (response + toxicity) * (odds_ratio - 1.0);
            let b = -4.0 * odds_ratio * (odds_ratio - 1.0) * response * toxicity;
            (a - (a * a + b).max(0.0).sqrt()) / (2.0 * (odds_ratio - 1.0))
        };
        let cells = [both, response - both, toxicity - both, 1.0 - response - toxicity + both];
        Ok(JointOutcome {
            response,
            toxicity,
            odds_ratio,
            cells: cells.map(|c| c.clamp(0.0, 1.0)),
        })
    }

    /// The response rate p_E.
    pub fn response(&self) -> f64 {
        self.response
    }

    /// The toxicity rate p_T.
    pub fn toxicity(&self) -> f64 {
        self.toxicity
    }

    /// The odds ratio ψ of response and toxicity (1: independent).
    pub fn odds_ratio(&self) -> f64 {
        self.odds_ratio
    }

    /// (response & toxicity, response only, toxicity only, neither).
    pub fn cells(&self) -> [f64; 4] {
        self.cells
    }

    /// P(toxicity | no response) and P(toxicity | response); both p_T when ψ = 1 (exactly, so
    /// that independent truths draw the same patients as before associations existed).
    pub fn toxicity_given_response(&self) -> [f64; 2] {
        if self.odds_ratio == 1.0 {
            return [self.toxicity; 2];
        }
        let given = |mass: f64, cell: f64| if mass > 0.0 { cell / mass } else { self.toxicity };
        [
            given(1.0 - self.response, self.cells[2]),
            given(self.response, self.cells[0]),
        ]
    }
}

/// How the toxicity cutoff's exponent follows γ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToxicityExponent {
    /// γ_T = γ/3, as in the authors' group's code (the default).
    GammaThird,
    /// γ_T = γ, the futility cutoff's own exponent.
    Gamma,
}

impl ToxicityExponent {
    fn of(self, gamma: f64) -> f64 {
        match self {
            ToxicityExponent::GammaThird => gamma / 3.0,
            ToxicityExponent::Gamma => gamma,
        }
    }

    /// As the scenario key writes it: `"gamma/3"` or `"gamma"`.
    pub fn key(self) -> &'static str {
        match self {
            ToxicityExponent::GammaThird => "gamma/3",
            ToxicityExponent::Gamma => "gamma",
        }
    }
}

/// Which null hypothesis the calibration keeps the type I error under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JointNull {
    /// The paper's H0: the design's null cells (response p0, toxicity t0).
    Paper,
    /// The largest rejection probability over (p0, t0), (p0, t1) and (p1, t0).
    Composite,
}

/// A BOP2 design with joint efficacy and toxicity monitoring, fixed (λ, γ).
#[derive(Clone, Debug, PartialEq)]
pub struct Bop2Joint {
    efficacy: Bop2,
    toxicity: ToxicityRule,
    tox0: f64,
    exponent: ToxicityExponent,
    null: JointOutcome,
}

/// Exact operating characteristics of a joint design under one [`JointOutcome`].
#[derive(Clone, Debug, PartialEq)]
pub struct JointOperatingCharacteristics {
    /// P(the regimen is declared promising).
    pub reject: f64,
    /// P(stop for futility at a look before the last).
    pub futility_stop: f64,
    /// P(stop for toxicity at any look, the final analysis included).
    pub toxicity_stop: f64,
    /// P(stop for toxicity at a look before the last).
    pub early_toxicity_stop: f64,
    /// Expected number of patients.
    pub expected_n: f64,
    /// P(the trial ends at look k), for every look.
    pub end_at_look: Vec<f64>,
}

impl Bop2Joint {
    /// The design with null response rate `p0`, unacceptable toxicity rate `tox0`, the null cells'
    /// odds ratio, and (λ, γ); checks the looks, the rates in (0, 1), λ in (0, 1) and γ ≥ 0.
    pub fn new(
        looks: Vec<u32>,
        (p0, tox0, odds_ratio): (f64, f64, f64),
        lambda: f64,
        gamma: f64,
        exponent: ToxicityExponent,
    ) -> Result<Bop2Joint, SingleArmError> {
        check_looks(&looks)?;
        open_unit("p0", p0)?;
        open_unit("tox0", tox0)?;
        let null = JointOutcome::new(p0, tox0, odds_ratio)?;
        let efficacy = Bop2::new(looks.clone(), BetaPrior::new(p0, 1.0 - p0)?, p0, lambda, gamma)?;
        let n_max = looks[looks.len() - 1];
        let certainties = looks
            .iter()
            .map(|&n| toxicity_certainty(lambda, exponent.of(gamma), n, n_max))
            .collect();
        let toxicity = ToxicityRule::with_certainties(BetaPrior::new(tox0, 1.0 - tox0)?, tox0, looks, certainties)?;
        Ok(Bop2Joint {
            efficacy,
            toxicity,
            tox0,
            exponent,
            null,
        })
    }

    /// The futility half: a binary BOP2 with prior Beta(p0, 1 − p0).
    pub fn efficacy(&self) -> &Bop2 {
        &self.efficacy
    }

    /// The toxicity half: stop at look n when P(p_T > t0 | data) > C_T(n), every look (N too).
    pub fn toxicity(&self) -> &ToxicityRule {
        &self.toxicity
    }

    /// The unacceptable toxicity rate t0.
    pub fn tox0(&self) -> f64 {
        self.tox0
    }

    /// How γ_T follows γ.
    pub fn exponent(&self) -> ToxicityExponent {
        self.exponent
    }

    /// The null cells, whose probabilities are the Dirichlet prior's (effective sample size 1).
    pub fn null(&self) -> JointOutcome {
        self.null
    }

    /// The looks (the last is N).
    pub fn looks(&self) -> &[u32] {
        self.efficacy.boundaries().looks()
    }

    /// C_T(n) = 1 − λ·(n/N)^γ_T.
    pub fn toxicity_cutoff(&self, n: u32) -> f64 {
        let looks = self.looks();
        toxicity_certainty(
            self.efficacy.lambda(),
            self.exponent.of(self.efficacy.gamma()),
            n,
            looks[looks.len() - 1],
        )
    }

    /// The boundary table: per look, n, "stop for futility if responses ≤" (at N: not promising)
    /// and "stop for toxicity if toxicities ≥" (`None`: no count stops).
    pub fn table(&self) -> Vec<(u32, Option<u32>, Option<u32>)> {
        let futility = self.efficacy.boundaries().futility();
        let toxicity = self.toxicity.stop_counts();
        self.looks()
            .iter()
            .zip(futility.into_iter().zip(toxicity))
            .map(|(&n, (f, t))| (n, f, t))
            .collect()
    }

    /// Exact operating characteristics when patients' outcomes follow `outcome`.
    pub fn oc(&self, outcome: &JointOutcome) -> JointOperatingCharacteristics {
        let stops: Vec<u32> = self
            .toxicity
            .stop_counts()
            .iter()
            .zip(self.looks())
            .map(|(m, &n)| m.unwrap_or(n + 1))
            .collect();
        joint_oc(
            self.looks(),
            self.efficacy.boundaries().min_responses(),
            &stops,
            outcome,
        )
    }

    /// The exact (type I error, power): the largest P(promising) over `null`'s cases and
    /// P(promising) under H1 = (p1, t1) with the null cells' odds ratio.
    pub fn error_rates(&self, null: JointNull, (p1, tox1): (f64, f64)) -> Result<(f64, f64), SingleArmError> {
        let type1 = null_cases(self.null, null, (p1, tox1))?
            .iter()
            .map(|h0| self.oc(h0).reject)
            .fold(0.0, f64::max);
        let power = self.oc(&JointOutcome::new(p1, tox1, self.null.odds_ratio)?).reject;
        Ok((type1, power))
    }

    /// The optimal design: over the grids, the highest power under `alternative` (response p1,
    /// toxicity t1, same odds ratio as the null cells) with type I error at most `alpha` under
    /// `null` (ties: the first, λ then γ in grid order). Designs with the same boundaries share
    /// their exact operating characteristics.
    #[allow(clippy::too_many_arguments)]
    pub fn calibrate(
        looks: Vec<u32>,
        (p0, tox0): (f64, f64),
        (p1, tox1): (f64, f64),
        odds_ratio: f64,
        alpha: f64,
        null: JointNull,
        exponent: ToxicityExponent,
        (lambda_grid, gamma_grid): (&[f64], &[f64]),
    ) -> Result<JointCalibrated, SingleArmError> {
        check_looks(&looks)?;
        check_target(p0, p1, alpha)?;
        open_unit("tox0", tox0)?;
        open_unit("tox1", tox1)?;
        require(tox1 < tox0, "tox1", tox1, "less than tox0")?;
        let h1 = JointOutcome::new(p1, tox1, odds_ratio)?;
        let nulls = null_cases(JointOutcome::new(p0, tox0, odds_ratio)?, null, (p1, tox1))?;
        let n_max = looks[looks.len() - 1];
        let efficacy_scores = posterior_scores(&looks, BetaPrior::new(p0, 1.0 - p0)?, p0);
        let tox_prior = BetaPrior::new(tox0, 1.0 - tox0)?;
        let tox_scores: Vec<Vec<f64>> = looks
            .iter()
            .map(|&n| (0..=n).map(|t| tox_prior.posterior_exceeds(tox0, t, n)).collect())
            .collect();
        // (type I error, power) by (futility, toxicity) boundaries; power only within alpha.
        let mut seen: HashMap<BoundaryCounts, (f64, Option<f64>)> = HashMap::new();
        let mut best: Option<(f64, f64, f64, f64)> = None;
        for &lambda in lambda_grid {
            open_unit("lambda", lambda)?;
            for &gamma in gamma_grid {
                require(gamma.is_finite() && gamma >= 0.0, "gamma", gamma, "finite and ≥ 0")?;
                let futility = efficacy_scores
                    .boundaries(|n| lambda * (f64::from(n) / f64::from(n_max)).powf(gamma))
                    .min_responses()
                    .to_vec();
                let stops: Vec<u32> = looks
                    .iter()
                    .zip(&tox_scores)
                    .map(|(&n, row)| {
                        let c = toxicity_certainty(lambda, exponent.of(gamma), n, n_max);
                        row.partition_point(|&s| s <= c) as u32
                    })
                    .collect();
                let (type1, power) = *seen.entry((futility, stops)).or_insert_with_key(|(futility, stops)| {
                    let type1 = nulls
                        .iter()
                        .map(|h0| joint_oc(&looks, futility, stops, h0).reject)
                        .fold(0.0, f64::max);
                    let power = (type1 <= alpha).then(|| joint_oc(&looks, futility, stops, &h1).reject);
                    (type1, power)
                });
                if let Some(power) = power {
                    if best.is_none_or(|b| power > b.3) {
                        best = Some((lambda, gamma, type1, power));
                    }
                }
            }
        }
        let (lambda, gamma, type1_error, power) = best.ok_or(SingleArmError::NoCalibratedDesign { alpha })?;
        Ok(JointCalibrated {
            design: Bop2Joint::new(looks, (p0, tox0, odds_ratio), lambda, gamma, exponent)?,
            type1_error,
            power,
        })
    }
}

/// The outcomes the type I error is the largest rejection probability over: the null cells
/// (p0, t0), and for the composite null also (p0, t1) and (p1, t0), with the null's odds ratio.
pub fn null_cases(
    h0: JointOutcome,
    null: JointNull,
    (p1, tox1): (f64, f64),
) -> Result<Vec<JointOutcome>, SingleArmError> {
    let mut cases = vec![h0];
    if null == JointNull::Composite {
        cases.push(JointOutcome::new(h0.response, tox1, h0.odds_ratio)?);
        cases.push(JointOutcome::new(p1, h0.toxicity, h0.odds_ratio)?);
    }
    Ok(cases)
}

/// A joint design chosen by [`Bop2Joint::calibrate`], with its exact error rates.
#[derive(Clone, Debug, PartialEq)]
pub struct JointCalibrated {
    /// The design chosen.
    pub design: Bop2Joint,
    /// P(promising) under the null (the largest over the composite null's cases).
    pub type1_error: f64,
    /// P(promising) under H1.
    pub power: f64,
}

/// Per look, the responses needed to go on and the toxicities that stop.
type BoundaryCounts = (Vec<u32>, Vec<u32>);

/// C_T(n) = 1 − λ·(n/N)^γ_T.
fn toxicity_certainty(lambda: f64, gamma_t: f64, n: u32, n_max: u32) -> f64 {
    1.0 - lambda * (f64::from(n) / f64::from(n_max)).powf(gamma_t)
}

/// The joint distribution of (responses, toxicities) among `m` patients, `[x][t]` flattened
/// with stride m + 1, by adding one patient at a time.
fn increment(m: u32, cells: [f64; 4]) -> Vec<f64> {
    let w = m as usize + 1;
    let mut dist = vec![0.0; w * w];
    dist[0] = 1.0;
    let [rt, rn, nt, nn] = cells;
    for k in 0..m as usize {
        for x in (0..=k + 1).rev() {
            for t in (0..=k + 1).rev() {
                let mut p = dist[x * w + t] * nn;
                if x > 0 {
                    p += dist[(x - 1) * w + t] * rn;
                    if t > 0 {
                        p += dist[(x - 1) * w + t - 1] * rt;
                    }
                }
                if t > 0 {
                    p += dist[x * w + t - 1] * nt;
                }
                dist[x * w + t] = p;
            }
        }
    }
    dist
}

/// Exact operating characteristics of looks with futility counts (go on with at least
/// `min_responses[k]`; at the last look, promising) and toxicity counts (stop with at least
/// `tox_stops[k]`, checked first), under `outcome`.
pub(crate) fn joint_oc(
    looks: &[u32],
    min_responses: &[u32],
    tox_stops: &[u32],
    outcome: &JointOutcome,
) -> JointOperatingCharacteristics {
    let last = looks.len() - 1;
    let mut running = vec![1.0];
    let mut previous = 0u32;
    let (mut futility_stop, mut toxicity_stop, mut early_toxicity_stop, mut reject) = (0.0, 0.0, 0.0, 0.0);
    let mut end_at_look = Vec::with_capacity(looks.len());
    for (k, &n) in looks.iter().enumerate() {
        let m = n - previous;
        let step = increment(m, outcome.cells);
        let (wp, ws, w) = (previous as usize + 1, m as usize + 1, n as usize + 1);
        let mut next = vec![0.0; w * w];
        for (i, &mass) in running.iter().enumerate().filter(|(_, &mass)| mass > 0.0) {
            let (x, t) = (i / wp, i % wp);
            for (j, &q) in step.iter().enumerate().filter(|(_, &q)| q > 0.0) {
                next[(x + j / ws) * w + t + j % ws] += mass * q;
            }
        }
        let (mut tox, mut futile, mut promising) = (0.0, 0.0, 0.0);
        for (i, mass) in next.iter_mut().enumerate() {
            let (x, t) = ((i / w) as u32, (i % w) as u32);
            if t >= tox_stops[k] {
                tox += *mass;
            } else if x < min_responses[k] {
                futile += *mass;
            } else {
                promising += *mass;
                continue;
            }
            *mass = 0.0;
        }
        toxicity_stop += tox;
        if k == last {
            reject = promising;
            end_at_look.push(tox + futile + promising);
        } else {
            early_toxicity_stop += tox;
            futility_stop += futile;
            end_at_look.push(tox + futile);
        }
        running = next;
        previous = n;
    }
    JointOperatingCharacteristics {
        reject,
        futility_stop,
        toxicity_stop,
        early_toxicity_stop,
        expected_n: looks.iter().zip(&end_at_look).map(|(&n, &q)| f64::from(n) * q).sum(),
        end_at_look,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Independent rates: the joint OC factorises into the response walk's and the toxicity
    /// walk's, each a binary [`Boundaries::oc`](super::super::Boundaries::oc).
    #[test]
    fn independent_outcomes_factorise() {
        let design = Bop2Joint::new(
            vec![10, 20, 30],
            (0.3, 0.3, 1.0),
            0.9,
            1.0,
            ToxicityExponent::GammaThird,
        )
        .unwrap();
        let (p_e, p_t) = (0.45, 0.2);
        let oc = design.oc(&JointOutcome::new(p_e, p_t, 1.0).unwrap());
        let efficacy = design.efficacy().oc(p_e);
        // P(no toxicity stop at any look) from the toxicity boundaries as a "response" walk on
        // non-toxicities: go on with at most stop − 1 toxicities, i.e. at least n − stop + 1 without.
        let table = design.table();
        let looks: Vec<u32> = table.iter().map(|r| r.0).collect();
        let mins: Vec<u32> = table.iter().map(|&(n, _, t)| t.map_or(0, |t| n + 1 - t)).collect();
        let safe = super::super::Boundaries::new(looks, mins).unwrap().oc(1.0 - p_t);
        let continue_safe = safe.reject; // reached N with the final toxicity check passed
        assert!((oc.reject - efficacy.reject * continue_safe).abs() < 1e-12, "{oc:?}");
        assert!((oc.end_at_look.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn cells_follow_the_odds_ratio() {
        let o = JointOutcome::new(0.6, 0.3, 3.0).unwrap();
        let c = o.cells();
        assert!((c[0] + c[1] - 0.6).abs() < 1e-15 && (c[0] + c[2] - 0.3).abs() < 1e-15);
        assert!((c.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert!((c[0] * c[3] / (c[1] * c[2]) - 3.0).abs() < 1e-12);
        let [no, yes] = o.toxicity_given_response();
        assert!((0.6 * yes + 0.4 * no - 0.3).abs() < 1e-15 && yes > no);
        assert!(JointOutcome::new(0.9, 0.9, -0.9).is_err());
        assert_eq!(
            JointOutcome::new(0.6, 0.3, 1.0).unwrap().toxicity_given_response(),
            [0.3, 0.3]
        );
    }

    #[test]
    fn calibration_keeps_the_null_and_maximises_power() {
        let looks = vec![10, 20, 30, 40];
        let lambdas: Vec<f64> = (50..100).map(|i| f64::from(i) / 100.0).collect();
        let gammas: Vec<f64> = (0..=20).map(|i| f64::from(i) / 10.0).collect();
        for null in [JointNull::Paper, JointNull::Composite] {
            let best = Bop2Joint::calibrate(
                looks.clone(),
                (0.2, 0.3),
                (0.4, 0.15),
                1.0,
                0.1,
                null,
                ToxicityExponent::GammaThird,
                (&lambdas, &gammas),
            )
            .unwrap();
            let h0 = best.design.oc(&JointOutcome::new(0.2, 0.3, 1.0).unwrap()).reject;
            assert!(h0 <= best.type1_error + 1e-15 && best.type1_error <= 0.1);
            let power = best.design.oc(&JointOutcome::new(0.4, 0.15, 1.0).unwrap()).reject;
            assert_eq!(power, best.power);
            for &lambda in lambdas.iter().step_by(7) {
                for &gamma in gammas.iter().step_by(3) {
                    let d = Bop2Joint::new(
                        looks.clone(),
                        (0.2, 0.3, 1.0),
                        lambda,
                        gamma,
                        ToxicityExponent::GammaThird,
                    )
                    .unwrap();
                    let mut cases = vec![(0.2, 0.3)];
                    if null == JointNull::Composite {
                        cases.extend([(0.2, 0.15), (0.4, 0.3)]);
                    }
                    let type1 = cases
                        .iter()
                        .map(|&(e, t)| d.oc(&JointOutcome::new(e, t, 1.0).unwrap()).reject)
                        .fold(0.0, f64::max);
                    let p = d.oc(&JointOutcome::new(0.4, 0.15, 1.0).unwrap()).reject;
                    assert!(type1 > 0.1 || p <= best.power + 1e-15);
                }
            }
        }
    }
}
