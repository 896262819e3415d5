//! The database pre-flight: before anything is generated or deployed, ask
//! each database a blueprint names whether its stores will work there.
//!
//! Read-only by construction (PostgreSQL `default_transaction_read_only`
//! and a statement timeout, MySQL a read-only transaction and a statement
//! time limit, SQLite read-only and never creating a file), and one batched
//! catalogue round trip per database. [`expect`] says what the blueprint
//! needs of each database; the engines ([`postgres`], [`mysql`],
//! [`sqlite`]) fill a [`catalog::Catalog`]; [`compare`] turns the
//! differences into diagnostics; [`run`] does it for every database at
//! once, through a [`cache::Cache`].

pub mod cache;
pub mod catalog;
pub mod compare;
pub mod expect;
pub mod mysql;
pub mod postgres;
pub mod run;
pub mod sqlite;
pub mod types;

pub use run::{run, run_with_inspections, Inspection, Options, Progress};
