//! The schema's migrations, embedded in the binary, one list per backend.
//!
//! Listed here rather than by `sqlx::migrate!`: that macro builds sqlx's drivers (SQLite's C
//! library among them) a second time, for the compiler, which costs a cold build about a
//! minute. The checksums are the same (sqlx hashes the SQL text), so databases migrated by the
//! macro stay valid. A test checks that every file in `migrations/` is listed.

use sqlx::SqlStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use std::borrow::Cow;

/// One migration file: its version and description as its name gives them, and its SQL.
struct Embedded {
    version: i64,
    description: &'static str,
    sql: &'static str,
}

const SQLITE: &[Embedded] = &[Embedded {
    version: 1,
    description: "initial",
    sql: include_str!("../migrations/sqlite/0001_initial.sql"),
}];

const POSTGRES: &[Embedded] = &[Embedded {
    version: 1,
    description: "initial",
    sql: include_str!("../migrations/postgres/0001_initial.sql"),
}];

/// The migrator of the SQLite schema.
pub(crate) fn sqlite() -> Migrator {
    migrator(SQLITE)
}

/// The migrator of the PostgreSQL schema.
pub(crate) fn postgres() -> Migrator {
    migrator(POSTGRES)
}

fn migrator(list: &'static [Embedded]) -> Migrator {
    Migrator::with_migrations(
        list.iter()
            .map(|file| {
                Migration::new(
                    file.version,
                    Cow::Borrowed(file.description),
                    MigrationType::Simple,
                    SqlStr::from_static(file.sql),
                    false,
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `0001_initial.sql` -> (1, "initial"), as `sqlx::migrate!` reads a name.
    fn parse_name(name: &str) -> (i64, String) {
        let stem = name.strip_suffix(".sql").expect("a .sql file");
        let (version, description) = stem.split_once('_').expect("VERSION_DESCRIPTION.sql");
        (version.parse().unwrap(), description.replace('_', " "))
    }

    fn assert_lists_every_file(backend: &str, list: &[Embedded]) {
        let folder = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<(i64, String, String)> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let (version, description) =
                    parse_name(path.file_name().unwrap().to_str().unwrap());
                (
                    version,
                    description,
                    std::fs::read_to_string(&path).unwrap(),
                )
            })
            .collect();
        files.sort();
        let listed: Vec<(i64, String, String)> = list
            .iter()
            .map(|m| (m.version, m.description.to_string(), m.sql.to_string()))
            .collect();
        assert_eq!(listed, files, "migrations/{backend} and its list differ");
    }

    #[test]
    fn every_migration_file_is_listed_with_its_name_and_text() {
        assert_lists_every_file("sqlite", SQLITE);
        assert_lists_every_file("postgres", POSTGRES);
    }
}
