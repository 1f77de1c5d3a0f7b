//! The `vspan` binary: one clap front end over every part of the system.
use clap::{Parser, Subcommand};

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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Server => Ok(()),
    }
}
