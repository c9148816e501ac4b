//! Starts the web app (pages, JSON API, mail worker) or runs an admin command.
use std::process::ExitCode;

use aanmeldpunt::cli::{Cli, Command, RegisterAction, ReminderAction, StaffAction};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[rocket::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Rocket may already have a logger; ours is then the one that waits.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
    match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => match aanmeldpunt::rocket(aanmeldpunt::figment()).launch().await {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Command::Register {
            action: RegisterAction::Import { file, format },
        } => aanmeldpunt::cli::import_register(file, format).await,
        Command::Reminders {
            action: ReminderAction::Send,
        } => aanmeldpunt::cli::send_reminders().await,
        Command::Staff {
            action: StaffAction::Create { email, name, role },
        } => aanmeldpunt::cli::create_staff(email, name, role).await,
    }
}
