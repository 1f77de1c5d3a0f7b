//! The `vspan` binary: one clap front end over every part of the system.
use clap::{Parser, Subcommand};

mod agent;
mod replay;
mod sink;

#[derive(Parser)]
#[command(name = "vspan", version, about = "VPC traffic mirroring")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the control plane API server.
    Server,
    /// Host agent: capture interfaces (AF_PACKET), mirror per the sessions file over VXLAN.
    Agent(agent::AgentArgs),
    /// Apply a sessions file to a capture as one ENI's traffic; write the VXLAN copies.
    Replay(replay::ReplayArgs),
    /// Receive VXLAN (UDP or a capture), decapsulate, write one pcap per VNI.
    Sink(sink::SinkArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Server => Ok(()),
        Command::Agent(args) => agent::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Sink(args) => sink::run(args),
    }
}
