//! The client's settings: the `blueprint` section an editor sends as
//! `initializationOptions`, in `workspace/didChangeConfiguration`, and in
//! answer to `workspace/configuration`:
//!
//! ```json
//! { "preflight": { "onSave": true },
//!   "liveMetrics": { "address": "", "intervalMs": 5000, "enabled": true },
//!   "log": { "level": "info" },
//!   "envFile": ".env" }
//! ```
//!
//! Every key is optional; a missing or malformed value keeps its default,
//! so one bad setting never disables the others. `server.path` belongs to
//! the client (it starts the server) and is ignored here.

use serde_json::Value;

use super::live;

/// The log levels a client may ask for.
const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Run the database pre-flight when a blueprint is saved.
    pub preflight_on_save: bool,
    /// The file beside a blueprint (or an absolute path) that supplies
    /// `${VAR}` values the environment does not.
    pub env_file: String,
    /// The level of the log forwarded to the client, when it chose one.
    pub log_level: Option<String>,
    pub live: live::Settings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            preflight_on_save: true,
            env_file: crate::environment::DEFAULT_ENV_FILE.to_owned(),
            log_level: None,
            live: live::Settings::default(),
        }
    }
}

impl Settings {
    /// Reads a `blueprint` section. Also accepts `logLevel` at the top
    /// (what earlier clients sent as `initializationOptions`).
    pub fn from_json(section: Option<&Value>) -> Self {
        let mut s = Self::default();
        let Some(v) = section.filter(|v| v.is_object()) else {
            return s;
        };
        if let Some(on) = v.pointer("/preflight/onSave").and_then(Value::as_bool) {
            s.preflight_on_save = on;
        }
        if let Some(file) = v
            .get("envFile")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            s.env_file = file.to_owned();
        }
        s.log_level = v
            .pointer("/log/level")
            .or_else(|| v.get("logLevel"))
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .filter(|l| LEVELS.contains(&l.as_str()));
        s.live = live::Settings::from_json(v.get("liveMetrics"));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    /// What the VS Code extension sends under its default settings (its
    /// own tests assert the file equals what it builds).
    const EXTENSION_DEFAULTS: &str =
        include_str!("../../../editors/vscode/test/fixtures/initialization-options.json");

    #[test]
    fn the_extension_defaults_are_the_server_defaults() {
        let sent: Value = serde_json::from_str(EXTENSION_DEFAULTS).unwrap();
        let s = Settings::from_json(Some(&sent));
        assert_eq!(
            s,
            Settings {
                log_level: Some("info".into()),
                ..Settings::default()
            }
        );
    }

    #[test]
    fn each_setting_is_read_and_bad_values_keep_defaults() {
        let s = Settings::from_json(Some(&json!({
            "preflight": { "onSave": false },
            "liveMetrics": { "address": "10.0.0.1:9000", "intervalMs": 250 },
            "log": { "level": "DEBUG" },
            "envFile": "config/dev.env"
        })));
        assert!(!s.preflight_on_save);
        assert_eq!(s.env_file, "config/dev.env");
        assert_eq!(s.log_level.as_deref(), Some("debug"));
        assert_eq!(s.live.address.as_deref(), Some("10.0.0.1:9000"));
        assert_eq!(s.live.interval, Duration::from_millis(250));

        let bad = Settings::from_json(Some(&json!({
            "preflight": { "onSave": "yes" },
            "log": { "level": "loud" },
            "envFile": 3,
            "liveMetrics": []
        })));
        assert_eq!(bad, Settings::default());
        assert_eq!(Settings::from_json(Some(&json!(null))), Settings::default());
        assert_eq!(
            Settings::from_json(Some(&json!({"logLevel": "trace"})))
                .log_level
                .as_deref(),
            Some("trace")
        );
    }
}
