//! Benchmarks of the plugin layer, run with `cargo bench --bench plugin`:
//! process start -> handshake line, and a GetSchema round trip over mutual
//! TLS, both as Terraform experiences them. Under `cargo test` it runs one
//! iteration of each as a smoke test. Figures are recorded in BENCHMARKS.md.

#[path = "../tests/it/support/plugin_client.rs"]
mod plugin_client;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use plugin_client::{ClientIdentity, connect, provider_client, start};
use tfplugin::proto::tfplugin5::get_provider_schema;

fn summary(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<32} n={:<5} min={:>9.3?} median={:>9.3?} p95={:>9.3?} max={:>9.3?}",
        samples.len(),
        pick(0.0),
        pick(0.5),
        pick(0.95),
        pick(1.0)
    );
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let (starts, calls) = if benchmarking { (50, 2000) } else { (1, 1) };
    // PLUGIN_BENCH_BINARY measures another build of the same provider, e.g.
    // the distribution profile scripts/release ships.
    let binary = std::env::var_os("PLUGIN_BENCH_BINARY").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-rootaccess")),
        PathBuf::from,
    );
    let identity = ClientIdentity::generate();

    let mut start_times = Vec::new();
    for _ in 0..starts {
        let t = Instant::now();
        let plugin = start(&binary, &identity.pem);
        start_times.push(t.elapsed());
        drop(plugin);
    }
    summary("start -> handshake line", start_times);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let plugin = start(&binary, &identity.pem);
    let call_times = runtime.block_on(async {
        let channel = connect(&plugin, Some(&identity)).await.expect("connect");
        let mut client = provider_client(channel);
        let mut times = Vec::new();
        for _ in 0..calls {
            let t = Instant::now();
            client
                .get_schema(get_provider_schema::Request {})
                .await
                .expect("GetSchema");
            times.push(t.elapsed());
        }
        times
    });
    summary("GetSchema round trip (mTLS)", call_times);
}
