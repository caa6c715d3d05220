//! Trials per second for each design of the bundled QLS4131 scenario (all six truths), at 1 and
//! 2 threads. Run with `cargo bench`; criterion reports throughput in elements (trials) per second.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::path::Path;
use trialsim::scenario::Scenario;
use trialsim::sim::{simulate, SimulationPlan};

fn throughput(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/qls4131_escalation.toml");
    let scenario = Scenario::load(&path).expect("bundled scenario is valid");
    let mut group = c.benchmark_group("qls4131_escalation");
    group.sample_size(10);
    for (spec, design) in scenario.designs.iter().zip(scenario.build_designs()) {
        let designs = [design];
        // Enough trials that thread start-up and cache warm-up are amortised.
        let trials = if spec.rule_name() == "crm" { 50_000 } else { 200_000 };
        group.throughput(Throughput::Elements(trials * scenario.truths.len() as u64));
        for threads in [1, 2] {
            let plan = SimulationPlan {
                designs: &designs,
                truths: &scenario.truths,
                trials,
                seed: 1,
                threads,
            };
            group.bench_with_input(
                BenchmarkId::new(spec.name.clone(), format!("{threads} threads")),
                &plan,
                |b, plan| b.iter(|| simulate(plan, &|_| {}).expect("runs")),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
