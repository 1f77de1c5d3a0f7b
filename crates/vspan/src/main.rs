//! The `vspan` binary: one clap front end over every part of the system.

mod agent;
mod config;
mod replay;
mod server;
mod sink;
mod up;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "vspan", version, about = "VPC traffic mirroring: cloud APIs on your own Linux hosts")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the control plane API server.
    Server(server::ServerArgs),
    /// Start the whole system with no configuration: server, SQLite, a dev account.
    Up(up::UpArgs),
    /// Apply a sessions file to a capture as one ENI's traffic; write the VXLAN copies.
    Replay(replay::ReplayArgs),
    /// Receive VXLAN (UDP or a capture), decapsulate, write one pcap per VNI.
    Sink(sink::SinkArgs),
    /// Host agent: capture interfaces (AF_PACKET), mirror per the sessions file over VXLAN.
    Agent(agent::AgentArgs),
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging();
    match cli.command {
        Command::Server(args) => {
            let mut cfg = match &args.config {
                Some(path) => config::Config::load(path)?,
                None => toml::from_str::<config::Config>("")?,
            };
            args.apply(&mut cfg);
            runtime()?.block_on(server::run(cfg, |addr| println!("vspan server listening on http://{addr}")))
        }
        Command::Up(args) => {
            let (cfg, keys) = up::config(&args)?;
            let shown = cfg.clone();
            runtime()?.block_on(server::run(cfg, |addr| println!("{}", up::banner(addr, &shown, &keys))))
        }
        Command::Replay(args) => replay::run(args),
        Command::Sink(args) => sink::run(args),
        Command::Agent(args) => agent::run(args),
    }
}
