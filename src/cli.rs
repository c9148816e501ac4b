//! Admin commands beside the web app.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::AppConfig;
use crate::services::register::{self, RegisterFormat};

#[derive(Parser)]
#[command(
    name = "aanmeldpunt",
    about = "Sign-ups for partnerships voor meer banen"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve pages, API and mail worker (the default).
    Serve,
    /// The register of public organisations.
    Register {
        #[command(subcommand)]
        action: RegisterAction,
    },
}

#[derive(Subcommand)]
pub enum RegisterAction {
    /// Import a register file; importing it again updates, never duplicates.
    Import {
        file: PathBuf,
        /// `roo` for the ROO extract, `simple` for `name,sector,kvk,domains`.
        #[arg(long, value_enum, default_value = "roo")]
        format: RegisterFormat,
    },
}

pub async fn import_register(file: PathBuf, format: RegisterFormat) -> ExitCode {
    let config: AppConfig = match crate::figment().extract() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    let reader = match std::fs::File::open(&file) {
        Ok(f) => std::io::BufReader::new(f),
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let db = match crate::db::connect(&config.database_url, None).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("database: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = crate::db::migrate(&db).await {
        eprintln!("database migration failed: {e}");
        return ExitCode::FAILURE;
    }
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} organisations")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let result = register::import(&db, reader, format, &mut progress).await;
    bar.finish_and_clear();
    match result {
        Ok(report) => {
            // The import is committed; a closed pipe (`| head`) is no error.
            let _ = print_report(&report);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            ExitCode::FAILURE
        }
    }
}

fn print_report(report: &register::ImportReport) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "added {}, updated {}, unchanged {}, skipped (not current) {}, rejected {}",
        report.added,
        report.updated,
        report.unchanged,
        report.skipped,
        report.rejected.len()
    )?;
    for (line, reason) in &report.rejected {
        writeln!(out, "  rejected, line {line}: {reason}")?;
    }
    for (line, note) in &report.warnings {
        writeln!(out, "  note, line {line}: {note}")?;
    }
    Ok(())
}
