//! Backfill asks the design: a backfill dose closes when the design's own rule calls for
//! de-escalation from it on the outcomes known so far (`DoseFinder::backfill_open`). For BOIN that
//! is BF-BOIN's rule (Zhao, Yuan et al. 2024: observed DLT rate ≥ λd); a CRM judges by its model.

use super::common::root;
use trialsim::designs::interval::boin::lambda_d;
use trialsim::designs::outcomes::parse_outcomes;
use trialsim::designs::{Dose, DoseFinder, TrialData};
use trialsim::scenario::Scenario;

/// The bundled escalation scenario's design called `name` (target 0.25, six doses).
fn design(name: &str) -> Box<dyn DoseFinder> {
    let scenario = Scenario::load(&root().join("scenarios/qls4131_escalation.toml")).unwrap();
    let names: Vec<String> = scenario.designs.iter().map(|d| d.name.clone()).collect();
    let i = names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no {name} in {names:?}"));
    scenario.build_designs().swap_remove(i)
}

/// The data of a history such as "1NNN 2NNT".
fn data(history: &str) -> TrialData {
    let mut data = TrialData::new(6);
    for c in parse_outcomes(history, 6).unwrap() {
        data.add_cohort(c.dose, c.patients, c.dlts);
    }
    data
}

/// BOIN keeps a backfill dose open exactly while its observed rate is below λd (BF-BOIN's rule,
/// and what every earlier version did for every design): checked for every count at DL2 up to the
/// scenario's 36 patients, after DL1 cleared with 0/3.
#[test]
fn boin_backfill_closes_at_lambda_d() {
    let boin = design("BOIN");
    let lambda = lambda_d(0.25, 1.4 * 0.25);
    for n in 1..=33u16 {
        for y in 0..=n {
            let mut data = data("1NNN");
            data.add_cohort(Dose(1), n, y);
            let below = f64::from(y) < lambda * f64::from(n);
            assert_eq!(
                boin.backfill_open(&data, Dose(1)),
                below,
                "{y}/{n} at DL2 (λd = {lambda:.4})"
            );
        }
    }
}

/// CRM judges by its model, not by BOIN's λd. After 0/3, 1/6 and 3/3 on DL1–3 the model's dose
/// closest to the target is DL1 (estimates 0.20, 0.31, 0.41 by `trialsim next`), so DL2 closes
/// although 1/6 is below λd; after 0/3, 1/3, 0/3, 0/3 it is DL4, so DL2 stays open although 1/3
/// is above λd.
#[test]
fn crm_backfill_follows_the_model() {
    let (crm, boin) = (design("CRM"), design("BOIN"));
    let closed = data("1NNN 2NNN 2NNT 3TTT");
    assert!(!crm.backfill_open(&closed, Dose(1)));
    assert!(boin.backfill_open(&closed, Dose(1)));
    assert!(crm.backfill_open(&closed, Dose(0)));
    let open = data("1NNN 2NNT 3NNN 4NNN");
    assert!(crm.backfill_open(&open, Dose(1)));
    assert!(!boin.backfill_open(&open, Dose(1)));
}

/// Keyboard closes a dose when its own key says de-escalate: 2/6 (0.33) lies above the target
/// key [0.20, 0.30], so DL2 closes, while 1/6 (in the key below it) keeps it open.
#[test]
fn keyboard_backfill_follows_its_keys() {
    let keyboard = design("Keyboard");
    assert!(!keyboard.backfill_open(&data("1NNN 2NNT 2NNT"), Dose(1)));
    assert!(keyboard.backfill_open(&data("1NNN 2NNN 2NNT"), Dose(1)));
}

/// The variant is checked: unknown names, "bfboin" on a design without per-dose calls, and
/// "bfboin" with rules the BF-BOIN rule would silently ignore are refused, naming the field.
#[test]
fn backfill_variant_is_checked() {
    use std::path::Path;
    let text = |design: &str| {
        format!(
            "name = \"v\"\n[trial]\ndoses = [\"1\", \"2\", \"3\"]\ntarget = 0.25\ncohort_size = 3\nmax_patients = 18\n\
             [timing]\narrival = {{ rate = 2.0 }}\ndlt_window = 1.0\n[[truth]]\nname = \"t\"\ndlt = [0.1, 0.2, 0.3]\n\
             [[design]]\nname = \"d\"\n{design}\n"
        )
    };
    let parse = |design: &str| Scenario::parse(&text(design), Path::new("v.toml"));
    let refused = [
        (
            "rule = \"boin\"\nbackfill = { variant = \"bf-boin\" }",
            "must be \"bfboin\"",
        ),
        (
            "rule = \"crm\"\nskeleton = [0.1, 0.2, 0.3]\nbackfill = { variant = \"bfboin\" }",
            "crm backfills with variant = \"design\"",
        ),
        (
            "rule = \"boin\"\nbackfill = true\nrules = [{ kind = \"stop_at_n\", n = 12 }]",
            "remove `rules`",
        ),
    ];
    for (design, words) in refused {
        let message = parse(design).expect_err(design).to_string();
        assert!(message.contains("design[1].backfill.variant"), "{message}");
        assert!(message.contains(words), "{message}");
    }
    for design in [
        "rule = \"boin\"\nbackfill = true",
        "rule = \"keyboard\"\nbackfill = { variant = \"bfboin\" }",
        "rule = \"boin\"\nbackfill = { variant = \"design\" }\nrules = [{ kind = \"stop_at_n\", n = 12 }]",
        "rule = \"crm\"\nskeleton = [0.1, 0.2, 0.3]\nbackfill = true",
    ] {
        parse(design).unwrap_or_else(|e| panic!("{design}: {e}"));
    }
}
