use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccessTokens {
    Table,
    TokenHash,
    Purpose,
    SubjectId,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessTokens::Table)
                    .col(string_len(AccessTokens::TokenHash, 64).primary_key())
                    .col(string_len(AccessTokens::Purpose, 40))
                    .col(uuid(AccessTokens::SubjectId))
                    .col(timestamp_with_time_zone(AccessTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(AccessTokens::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_access_tokens_subject")
                    .table(AccessTokens::Table)
                    .col(AccessTokens::SubjectId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccessTokens::Table).to_owned())
            .await
    }
}
