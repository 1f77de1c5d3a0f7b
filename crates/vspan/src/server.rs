//! `vspan server`: the control plane. Opens the store, declares the configured inventory,
//! starts the reconciler and serves the API until SIGINT or SIGTERM.

use crate::config::Config;
use anyhow::Context;
use std::sync::Arc;
use vspan_api::{ApiState, Credentials};
use vspan_control::{Control, ControlConfig};
use vspan_store::SqliteStore;

/// Command-line overrides of the file's values.
#[derive(Debug, clap::Args)]
pub struct ServerArgs {
    /// The configuration file (TOML).
    #[arg(long, env = "VSPAN_CONFIG")]
    pub config: Option<std::path::PathBuf>,
    /// Address to listen on (overrides `listen`).
    #[arg(long)]
    pub listen: Option<String>,
    /// Directory of the SQLite database (overrides `data_dir`).
    #[arg(long)]
    pub data_dir: Option<std::path::PathBuf>,
    /// How long a change with no agent concerned stays transitional, in ms; 0 settles at once
    /// (overrides `settle_delay_ms`).
    #[arg(long)]
    pub settle_delay_ms: Option<u64>,
}

impl ServerArgs {
    pub fn apply(&self, cfg: &mut Config) {
        if let Some(v) = &self.listen {
            cfg.listen = v.clone();
        }
        if let Some(v) = &self.data_dir {
            cfg.data_dir = v.clone();
        }
        if let Some(v) = self.settle_delay_ms {
            cfg.settle_delay_ms = v;
        }
    }
}

/// Runs the server until a shutdown signal; `ready` is called once it listens.
pub async fn run(cfg: Config, ready: impl FnOnce(&std::net::SocketAddr)) -> anyhow::Result<()> {
    let store = SqliteStore::open(&cfg.data_dir)
        .await
        .with_context(|| format!("opening the database under {}", cfg.data_dir.display()))?;
    let control = Control::new(
        Arc::new(store),
        ControlConfig { settle_delay_ms: cfg.settle_delay_ms, quotas: cfg.quotas },
        cfg.model_accounts(),
    );
    control.declare(&cfg.declared()).await.context("declaring the configured inventory")?;
    tokio::spawn(control.clone().run_reconciler());
    let state = ApiState {
        control,
        credentials: Arc::new(Credentials::new(cfg.credentials(), cfg.projects())),
        admin_token: cfg.admin_token.clone(),
    };
    let listener =
        tokio::net::TcpListener::bind(&cfg.listen).await.with_context(|| format!("listening on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, data_dir = %cfg.data_dir.display(), settle_delay_ms = cfg.settle_delay_ms, "vspan server listening");
    ready(&addr);
    axum::serve(listener, vspan_api::router(state)).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}
