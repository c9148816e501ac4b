//! Starts the web app: pages, JSON API and the mail worker.
use tracing_subscriber::EnvFilter;

#[rocket::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Rocket may already have a logger; ours is then the one that waits.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
    aanmeldpunt::rocket(aanmeldpunt::figment()).launch().await?;
    Ok(())
}
