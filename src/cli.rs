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
    /// Reminder e-mails before events.
    Reminders {
        #[command(subcommand)]
        action: ReminderAction,
    },
    /// Staff accounts for the back office.
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// Personal data.
    Privacy {
        #[command(subcommand)]
        action: PrivacyAction,
    },
}

#[derive(Subcommand)]
pub enum PrivacyAction {
    /// Remove the personal data whose retention period is over (for cron;
    /// the app also does this itself every `purge_interval_secs`).
    Purge {
        /// Report what would be removed, and remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum ReminderAction {
    /// Queue the reminders that are due now (for cron; the app also does
    /// this itself every `reminder_interval_secs`).
    Send,
}

#[derive(Subcommand)]
pub enum StaffAction {
    /// Create an account. The password is asked for, or read from stdin
    /// when that is not a terminal.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, organiser, programme or viewer.
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand)]
pub enum RegisterAction {
    /// Import a register file; importing it again updates, never duplicates.
    /// A full file (the default) deactivates what it no longer lists.
    Import {
        file: PathBuf,
        /// `roo` for the ROO extract, `duo` for DUO's board lists, `curated`
        /// for the education list, `simple` for `name,sector,kvk,domains`.
        #[arg(long, value_enum, default_value = "roo")]
        format: RegisterFormat,
        /// DUO: the sector of the file's boards (PO, VO, MBO, HBO or WO).
        #[arg(long)]
        sector: Option<String>,
        /// The file lists only some organisations: deactivate nothing.
        #[arg(long)]
        partial: bool,
    },
    /// Import the register the app ships with (the ROO extract and the
    /// curated education list) again.
    ImportShipped,
}

async fn connect_and_migrate() -> Result<sea_orm::DatabaseConnection, String> {
    let config: AppConfig = crate::figment()
        .extract()
        .map_err(|e| format!("configuration: {e}"))?;
    let db = crate::db::connect(&config.database_url, None)
        .await
        .map_err(|e| format!("database: {e}"))?;
    // A command run while instances start takes its turn like they do.
    let turn = crate::db::StartUpTurn::take(&db)
        .await
        .map_err(|e| format!("waiting for starting instances failed: {e}"))?;
    crate::db::migrate(&db)
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    turn.end()
        .await
        .map_err(|e| format!("ending the start-up turn failed: {e}"))?;
    Ok(db)
}

fn read_password() -> std::io::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Again: ")?;
        if first != second {
            return Err(std::io::Error::other("the passwords differ"));
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

pub async fn create_staff(email: String, name: String, role: String) -> ExitCode {
    let Some(role) = crate::domain::Role::from_input(&role) else {
        eprintln!("unknown role {role:?}: use admin, organiser, programme or viewer");
        return ExitCode::FAILURE;
    };
    let password = match read_password() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("password: {e}");
            return ExitCode::FAILURE;
        }
    };
    let db = match connect_and_migrate().await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match crate::services::staff::create(&db, &email, &name, role, &password, "command line").await
    {
        Ok(_) => {
            println!(
                "created {} ({})",
                email.trim().to_lowercase(),
                role.as_str()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// The person running a command, for the audit log.
fn command_line_actor() -> String {
    match std::env::var("USER") {
        Ok(user) if !user.is_empty() => format!("command line ({user})"),
        _ => "command line".into(),
    }
}

pub async fn import_shipped() -> ExitCode {
    let db = match connect_and_migrate().await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match register::load_shipped(&db, &command_line_actor()).await {
        Ok(load) => {
            let _ = print_report(&load.roo).and_then(|_| print_report(&load.education));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

pub async fn import_register(
    file: PathBuf,
    format: RegisterFormat,
    sector: Option<String>,
    partial: bool,
) -> ExitCode {
    let sector = match sector.as_deref().map(crate::domain::SectorCode::parse) {
        None => None,
        Some(Ok(sector)) => Some(sector),
        Some(Err(_)) => {
            eprintln!("unknown sector {sector:?}: use PO, VO, MBO, HBO or WO");
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
    let db = match connect_and_migrate().await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} organisations")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let options = register::ImportOptions {
        sector,
        partial,
        ..register::ImportOptions::new(
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            command_line_actor(),
        )
    };
    let result = register::import(&db, reader, format, &options, &mut progress).await;
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
        "added {}, updated {}, unchanged {}, deactivated {}, renamed {}, skipped (not current) {}, rejected {}",
        report.added,
        report.updated,
        report.unchanged,
        report.deactivated_total(),
        report.renamed,
        report.skipped,
        report.rejected.len()
    )?;
    for (kind, n) in &report.deactivated {
        writeln!(out, "  deactivated {kind}: {n}")?;
    }
    if let Some(date) = report.register_date {
        writeln!(out, "  register date {date}")?;
    }
    for (line, reason) in &report.rejected {
        writeln!(out, "  rejected, line {line}: {reason}")?;
    }
    for (line, note) in &report.warnings {
        writeln!(out, "  note, line {line}: {note}")?;
    }
    Ok(())
}

/// The app as it would start, without serving: its settings checked, the
/// database migrated, its state ready for a command.
async fn ignited() -> Option<rocket::Rocket<rocket::Ignite>> {
    match crate::rocket(crate::figment()).ignite().await {
        Ok(rocket) => Some(rocket),
        Err(e) => {
            eprintln!("{e}");
            None
        }
    }
}

pub async fn purge(dry_run: bool) -> ExitCode {
    let Some(rocket) = ignited().await else {
        return ExitCode::FAILURE;
    };
    let (Some(services), Some(retention)) = (
        rocket.state::<crate::services::Services>(),
        rocket.state::<crate::services::privacy::Retention>(),
    ) else {
        return ExitCode::FAILURE;
    };
    match crate::services::privacy::purge(services, chrono::Utc::now(), *retention, dry_run).await {
        Ok(purged) => {
            let verb = if dry_run { "would remove" } else { "removed" };
            println!(
                "{verb}: sign-ups {}, applications {}, link tokens {}, mails deleted {}, \
                 mails kept without their person {}, audit rows {}, ended sessions {}, mail files {}",
                purged.registrations,
                purged.applications,
                purged.tokens,
                purged.mails_deleted,
                purged.mails_scrubbed,
                purged.audit_rows,
                purged.sessions,
                purged.mail_files
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

pub async fn send_reminders() -> ExitCode {
    let Some(rocket) = ignited().await else {
        return ExitCode::FAILURE;
    };
    let Some(services) = rocket.state::<crate::services::Services>() else {
        return ExitCode::FAILURE;
    };
    match crate::services::reminders::send_due(services, chrono::Utc::now()).await {
        Ok(queued) => {
            println!("queued {queued} reminder(s); the mail worker sends them");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
