use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Context,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The template context of a mail whose body the worker renders. Rendering
/// the bodies (and the check-in QR code) inside the sign-up transaction held
/// the event lock for most of each sign-up (the load benchmark's profile);
/// the row now keeps what the templates need, written in the same
/// transaction, and the bodies are rendered when the mail is sent.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .add_column(text_null(Outbox::Context))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .drop_column(Outbox::Context)
                    .to_owned(),
            )
            .await
    }
}
