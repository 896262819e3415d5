//! The closed vocabularies of the language: component types, engines, flow
//! types, migration modes. Each parses from the spellings users write.

use serde::Serialize;

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $canonical:literal $(| $alias:literal)*),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        pub enum $name { $($variant),* }

        impl $name {
            /// Every value, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The canonical spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $canonical),* }
            }

            /// Parses the canonical spelling or a known alias.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($canonical $(| $alias)* => Some($name::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

vocabulary! {
    /// What a component does; decides its configuration keys and generated code.
    ComponentType {
        Source = "Source",
        Transformer = "Transformer",
        Accumulator = "Accumulator",
        Store = "Store",
        Controller = "Controller",
        Sink = "Sink",
        StreamProcessor = "StreamProcessor",
        Model = "Model",
        ApiEndpoint = "APIEndpoint",
        Router = "Router",
    }
}

vocabulary! {
    /// A database engine.
    Engine {
        Postgres = "postgres" | "postgresql" | "pg",
        Mysql = "mysql" | "mariadb",
        Sqlite = "sqlite" | "sqlite3",
    }
}

vocabulary! {
    /// How data moves through a port.
    FlowType {
        Push = "push",
        Pull = "pull",
        RequestResponse = "request_response",
    }
}

vocabulary! {
    /// What a store does about its schema at start-up.
    MigrationMode {
        Auto = "auto",
        Verify = "verify",
        Off = "off",
    }
}

/// Which side of a component a port is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Direction {
    Input,
    Output,
}

impl ComponentType {
    /// Entry points produce data from outside the system; everything else
    /// must be reachable from one of them.
    pub fn is_entry_point(self) -> bool {
        matches!(self, ComponentType::Source | ComponentType::ApiEndpoint)
    }

    /// Buffering components decouple their input from their output (they
    /// hold state or windows), so a cycle through one cannot deadlock.
    pub fn is_buffering(self) -> bool {
        matches!(
            self,
            ComponentType::Accumulator | ComponentType::StreamProcessor | ComponentType::Store
        )
    }

    /// What the type is for, one line (hover, docs, schema descriptions).
    pub fn summary(self) -> &'static str {
        match self {
            ComponentType::Source => {
                "Produces records from outside the system (a feed, a timer, a file)."
            }
            ComponentType::Transformer => "Turns each input record into an output record.",
            ComponentType::Accumulator => {
                "Aggregates records over time or count windows and emits the aggregate."
            }
            ComponentType::Store => "Persists records in a database table and reads them back.",
            ComponentType::Controller => {
                "Routes requests to stores and other components and shapes the replies."
            }
            ComponentType::Sink => "Consumes records and sends them out of the system.",
            ComponentType::StreamProcessor => {
                "Processes a stream with state (windows, joins, deduplication)."
            }
            ComponentType::Model => "Scores or classifies records with a model.",
            ComponentType::ApiEndpoint => "Serves HTTP and turns requests into messages.",
            ComponentType::Router => "Sends each record to one of several outputs by a condition.",
        }
    }
}

impl Engine {
    /// Engine implied by a URL's scheme.
    pub fn from_url(url: &str) -> Option<Engine> {
        let scheme = url.split_once(':')?.0;
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Some(Engine::Postgres),
            "mysql" | "mariadb" => Some(Engine::Mysql),
            "sqlite" => Some(Engine::Sqlite),
            _ => None,
        }
    }

    /// How people write the engine's name in prose, for matching
    /// descriptions (lower-case).
    pub fn prose_names(self) -> &'static [&'static str] {
        match self {
            Engine::Postgres => &["postgresql", "postgres"],
            Engine::Mysql => &["mysql", "mariadb"],
            Engine::Sqlite => &["sqlite"],
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Engine::Postgres => "PostgreSQL",
            Engine::Mysql => "MySQL/MariaDB",
            Engine::Sqlite => "SQLite",
        }
    }
}
