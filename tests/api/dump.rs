//! The database as someone holding a dump of it would see it: every table,
//! every column, every value as text. Used by the tests that prove a
//! person is gone and that every column is classified.
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

/// Every (table, column) of the app's schema, migrations' table excepted.
pub async fn columns(db: &DatabaseConnection) -> Vec<(String, String)> {
    let sql = match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             ORDER BY m.name, p.cid"
        }
        _ => {
            "SELECT table_name::text AS t, column_name::text AS c \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() \
             ORDER BY table_name, ordinal_position"
        }
    };
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("the schema can be read")
        .into_iter()
        .map(|row| {
            (
                row.try_get::<String>("", "t").unwrap(),
                row.try_get::<String>("", "c").unwrap(),
            )
        })
        .filter(|(table, _)| table != "seaql_migrations")
        .collect()
}

/// Every value in the database, one `table.column: value` per line.
pub async fn everything(db: &DatabaseConnection) -> String {
    let backend = db.get_database_backend();
    let mut out = String::new();
    for (table, column) in columns(db).await {
        let value = match backend {
            // Ids are blobs in SQLite; as text they would not be UTF-8.
            DatabaseBackend::Sqlite => format!(
                r#"CASE WHEN typeof("{column}") = 'blob' THEN hex("{column}") ELSE CAST("{column}" AS TEXT) END"#
            ),
            _ => format!(r#"CAST("{column}" AS TEXT)"#),
        };
        let sql = format!(r#"SELECT {value} AS v FROM "{table}""#);
        for row in db
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .expect("a column can be read")
        {
            if let Some(value) = row.try_get::<Option<String>>("", "v").unwrap() {
                out.push_str(&format!("{table}.{column}: {value}\n"));
            }
        }
    }
    out
}

/// Every file in `dir`, as text, one after the other.
pub fn folder(dir: &std::path::Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let raw = std::fs::read(entry.path()).unwrap();
        out.push_str(&String::from_utf8_lossy(&raw));
        out.push('\n');
    }
    out
}
