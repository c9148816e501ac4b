//! Starts the web app (pages, JSON API, mail worker) or runs an admin command.
use std::process::ExitCode;

use aanmeldpunt::cli::{Cli, Command, PrivacyAction, RegisterAction, ReminderAction, StaffAction};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[rocket::main]
async fn main() -> ExitCode {
    let figment = aanmeldpunt::figment();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(default_log_filter(&figment)));
    // Rocket may already have a logger; ours is then the one that waits.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(aanmeldpunt::logging::Redacted)
        .try_init();
    match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => match aanmeldpunt::rocket(figment).launch().await {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Command::Register {
            action:
                RegisterAction::Import {
                    file,
                    format,
                    sector,
                    partial,
                },
        } => aanmeldpunt::cli::import_register(file, format, sector, partial).await,
        Command::Register {
            action: RegisterAction::ImportShipped,
        } => aanmeldpunt::cli::import_shipped().await,
        Command::Reminders {
            action: ReminderAction::Send,
        } => aanmeldpunt::cli::send_reminders().await,
        Command::Staff {
            action: StaffAction::Create { email, name, role },
        } => aanmeldpunt::cli::create_staff(email, name, role).await,
        Command::Privacy {
            action: PrivacyAction::Purge { dry_run },
        } => aanmeldpunt::cli::purge(dry_run).await,
    }
}

/// The app's own events at `info`; Rocket's at its `log_level` setting
/// (`critical` in the release profile), which Rocket applies only to a
/// logger of its own. Without this, every request wrote three or four
/// lines, on the request's thread. `RUST_LOG` overrides it all.
fn default_log_filter(figment: &rocket::figment::Figment) -> String {
    use rocket::config::LogLevel;
    let rocket_level = match rocket::Config::try_from(figment).map(|c| c.log_level) {
        Ok(LogLevel::Off) => "off",
        Ok(LogLevel::Critical) => "warn",
        Ok(LogLevel::Debug) => "debug",
        Ok(LogLevel::Normal) | Err(_) => "info",
    };
    // Rocket logs request lines under the target `_`.
    format!("info,rocket={rocket_level},_={rocket_level}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rockets_own_lines_follow_its_log_level_and_the_apps_stay_at_info() {
        let at =
            |level: &str| default_log_filter(&aanmeldpunt::figment().merge(("log_level", level)));
        assert_eq!(at("critical"), "info,rocket=warn,_=warn");
        assert_eq!(at("normal"), "info,rocket=info,_=info");
        assert_eq!(at("off"), "info,rocket=off,_=off");
    }
}
