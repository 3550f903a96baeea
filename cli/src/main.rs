//! The `allmende` command line.

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ALLMENDE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(allmende_net::LOG_DEFAULT)),
        )
        .with_writer(std::io::stderr)
        .init();
    allmende_cli::run()
}
