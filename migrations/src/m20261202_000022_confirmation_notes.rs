//! An organiser's own paragraph in a meeting's confirmation mail (how to
//! get there, what to bring), in Dutch and English.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    ConfirmationNoteNl,
    ConfirmationNoteEn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in [Events::ConfirmationNoteNl, Events::ConfirmationNoteEn] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Events::Table)
                        .add_column(text_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Events::ConfirmationNoteNl, Events::ConfirmationNoteEn] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Events::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
