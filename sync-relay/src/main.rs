//! `allmende-relay`: the store-and-forward sync relay.

use std::net::SocketAddr;
use std::path::PathBuf;

use allmende_relay::Config;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "allmende-relay",
    version,
    about = "Allmende's store-and-forward sync relay"
)]
struct Args {
    /// TOML configuration file.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:3030).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Data directory (default ./relay-data).
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    /// Also accept devices over iroh (QUIC) on this UDP address, e.g. 0.0.0.0:3031; the
    /// relay's ticket is printed and served at /ticket.
    #[arg(long)]
    iroh: Option<SocketAddr>,
    #[command(subcommand)]
    command: Option<Maintenance>,
}

/// Maintenance of the store (the relay itself runs without a subcommand).
#[derive(Debug, clap::Subcommand)]
enum Maintenance {
    /// Write a consistent backup of the store to FILE (while the relay runs).
    Backup { file: PathBuf },
    /// Restore a backup into the data directory (stop the relay first); with --replace the
    /// current store is kept beside it.
    Restore {
        file: PathBuf,
        #[arg(long)]
        replace: bool,
    },
}

/// Runs a maintenance command on the configured data directory.
fn maintain(command: Maintenance, config: &Config) -> anyhow::Result<()> {
    match command {
        Maintenance::Backup { file } => {
            let n = allmende_relay::backup::backup(&config.data, &file)?;
            println!("backup written: {} ({n} documents)", file.display());
        }
        Maintenance::Restore { file, replace } => {
            let n = allmende_relay::backup::restore(&config.data, &file, replace)?;
            println!(
                "restored: {n} documents into {}; devices offer again what changed since the backup",
                config.data.display()
            );
        }
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ALLMENDE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut args = Args::parse();
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(command) = args.command.take() {
        if let Some(data) = args.data.take() {
            config.data = data;
        }
        return maintain(command, &config);
    }
    // Storage reads go through one connection, so more blocking threads than a few would only
    // add thread stacks and allocator arenas.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.workers)
        .enable_all()
        .max_blocking_threads(4)
        .build()?
        .block_on(run(args, config))
}

async fn run(args: Args, mut config: Config) -> anyhow::Result<()> {
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(data) = args.data {
        config.data = data;
    }
    if let Some(iroh) = args.iroh {
        config.iroh = Some(iroh);
    }
    let relay = allmende_relay::start(config).await?;
    // The first line on standard output is the address, for scripts and tests (port 0).
    println!("listening on {}", relay.addr);
    if let Some(ticket) = &relay.ticket {
        // Whoever started us may have stopped reading after the first line: no panic then.
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), "iroh ticket {}", ticket.text());
    }
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    relay.shutdown().await;
    Ok(())
}
