//! `trialsim pathways`: the dose-transition pathways of a live trial's next cohorts (Yap et al.
//! 2017), as a tree on standard output and, with `--out`, as `pathways.csv` and a diagram (the
//! tree comes from [`trialsim::conduct::pathways`]).

use super::next::LiveArgs;
use super::{say, say_wrote};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use trialsim::conduct::pathways::{dose_paths, named_truth, PathNode, PathwayError, Pathways};
use trialsim::conduct::ConductError;
use trialsim::designs::Decision;
use trialsim::report::charts::pathways::{render_pathways, MAX_DIAGRAM_LEAVES, PATHWAYS_DIAGRAMS};
use trialsim::report::write_atomic;
use trialsim::results::{write_rows, PathwayRow, Row};
use trialsim::scenario::Scenario;

/// The examples under `trialsim pathways --help`.
pub const EXAMPLES: &str = "Examples:
  trialsim pathways --scenario scenarios/qls4131_escalation.toml --design 3+3 --cohorts 2
  trialsim pathways --scenario scenarios/qls4131_escalation.toml --design BOIN --outcomes \"1NNN\" --cohorts 3 \\
      --truth \"mtd-middle (DL3)\" --out pathways
  trialsim pathways --scenario scenarios/qls4131_escalation.toml --design CRM --truth-probs 0.05,0.1,0.2,0.3,0.45,0.6

Each node is one cohort: its dose and outcomes (\"2NNT\": one DLT among three), then the design's
decision after it, the decision `trialsim next` gives for the same outcomes. A path ends when the
trial stops or after --cohorts cohorts.";

/// The arguments of `trialsim pathways`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    live: LiveArgs,
    /// Cohorts ahead to list.
    #[arg(long, default_value_t = 2)]
    cohorts: usize,
    /// Weigh each path by the probability under the scenario's [[truth]] of this name.
    #[arg(long, conflicts_with = "truth_probs")]
    truth: Option<String>,
    /// Weigh each path by these true DLT probabilities, one per dose, e.g. 0.05,0.1,0.2.
    #[arg(long, value_delimiter = ',')]
    truth_probs: Option<Vec<f64>>,
    /// Folder for pathways.csv, pathways.svg and pathways.png.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Prints the tree of pathways (and where the trial may be after them, under a truth) and, with
/// `--out`, writes the table and the diagram.
pub fn execute(args: Args) -> Result<()> {
    let scenario = Scenario::load_for_conduct(&args.live.scenario)?;
    let truth = match (&args.truth, &args.truth_probs) {
        (Some(name), _) => Some(named_truth(&scenario, name).context("invalid --truth")?),
        (None, Some(probs)) => Some(probs.as_slice()),
        (None, None) => None,
    };
    let pathways =
        dose_paths(&scenario, &args.live.design, &args.live.outcomes, args.cohorts, truth).or_else(|e| match e {
            PathwayError::Conduct(ConductError::Outcomes(e)) => Err(e).context("invalid --outcomes"),
            e @ (PathwayError::NoCohorts | PathwayError::TooManyNodes { .. }) => {
                Err(e).context(format!("invalid --cohorts {}", args.cohorts))
            }
            e @ PathwayError::InvalidTruth(_) => Err(e).context("invalid --truth-probs"),
            other => Err(other.into()),
        })?;
    let ahead = match pathways.cohorts {
        1 => "the next cohort".to_string(),
        k => format!("the next {k} cohorts"),
    };
    let after = if args.live.outcomes.trim().is_empty() {
        "from the start".to_string()
    } else {
        format!("after \"{}\"", pathways.nodes[0].outcomes)
    };
    say!(
        "{}: dose-transition pathways of {ahead} {after} ({} nodes, {} paths)",
        args.live.design,
        pathways.nodes.len(),
        pathways.leaves().count()
    );
    if let Some(name) = &args.truth {
        say!("Path probabilities under the truth '{name}'");
    } else if truth.is_some() {
        say!("Path probabilities under the true DLT probabilities given");
    }
    print_tree(&pathways);
    if let Some(outlook) = pathways.outlook(scenario.trial.doses.len()) {
        say!("\nAfter {ahead}:");
        say!(
            "{:>4}  {:<16} {:>12} {:>15}",
            "dose",
            "label",
            "P(next dose)",
            "P(stopped, MTD)"
        );
        for (i, label) in scenario.trial.doses.iter().enumerate() {
            say!(
                "{:>4}  {:<16} {:>12.4} {:>15.4}",
                i + 1,
                label,
                outlook.next_dose[i],
                outlook.stopped_selecting[i]
            );
        }
        say!("P(stopped without an MTD): {:.4}", outlook.stopped_without_mtd);
    }
    if let Some(out) = &args.out {
        let title = format!("{}: pathways of {ahead} {after}", args.live.design);
        write_files(out, &pathways, &title)?;
    }
    Ok(())
}

/// Prints one line per node, indented by its cohort: its outcomes, the decision after it and,
/// under a truth, the probability of its path.
fn print_tree(pathways: &Pathways) {
    let text = |node: &PathNode| {
        let label = node.label().unwrap_or_else(|| match node.outcomes.as_str() {
            "" => "start".to_string(),
            history => history.to_string(),
        });
        let decision = match node.decision {
            Decision::Treat(dose) => dose.to_string(),
            Decision::Stop { selected, reason } => format!(
                "stop ({}), {}",
                reason.name(),
                selected.map_or("no MTD".to_string(), |d| format!("MTD {d}"))
            ),
            Decision::Wait => unreachable!("{}", trialsim::core::NO_WAIT_WITHOUT_FOLLOW_UP),
        };
        format!("{}{label} -> {decision}", "  ".repeat(node.depth))
    };
    let lines: Vec<String> = pathways.nodes.iter().map(text).collect();
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for (node, line) in pathways.nodes.iter().zip(lines) {
        match node.probability {
            Some(p) => say!("{line:<width$}  p = {p:.4}"),
            None => say!("{line}"),
        }
    }
}

/// Writes `pathways.csv` and, when the tree is small enough to read, its diagram, in `out` (else
/// removes an older diagram there).
fn write_files(out: &Path, pathways: &Pathways, title: &str) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let rows = pathways.rows();
    let csv = out.join(PathwayRow::FILE);
    write_atomic(&csv, &write_rows(&rows)).with_context(|| format!("cannot write {}", csv.display()))?;
    say_wrote(&[csv]);
    let leaves = pathways.leaves().count();
    if leaves > MAX_DIAGRAM_LEAVES {
        // A diagram left by an earlier, smaller tree would contradict the table.
        for file in PATHWAYS_DIAGRAMS {
            match std::fs::remove_file(out.join(file)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("cannot remove {}", out.join(file).display()))
                }
                _ => {}
            }
        }
        eprintln!(
            "note: no diagram: {leaves} paths are more than a diagram shows ({MAX_DIAGRAM_LEAVES}); use fewer --cohorts"
        );
        return Ok(());
    }
    say_wrote(&render_pathways(out, &rows, title)?);
    Ok(())
}
