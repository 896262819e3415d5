//! Logs, through `tracing`, to stderr, at the level `BLUEPRINT_LOG` asks
//! for (an `EnvFilter` directive such as `debug` or `sqlx=trace`; off when
//! unset). Every line passes through [`mask_secrets`] on its way out, so a
//! URL with a password that some dependency logs never reaches the
//! terminal or a CI log.

use std::io::Write;

use blueprint_grammars::interpolate::mask_secrets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// The environment variable that sets the log filter.
pub const LOG_ENV: &str = "BLUEPRINT_LOG";

/// Installs the subscriber for the CLI. Does nothing when `BLUEPRINT_LOG`
/// is unset or empty.
pub fn init_cli() {
    let Some(filter) = std::env::var(LOG_ENV).ok().filter(|v| !v.is_empty()) else {
        return;
    };
    let filter = EnvFilter::try_new(&filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(MaskedStderr)
        .with_ansi(false)
        .try_init();
}

/// Stderr, with secrets masked in whatever is written.
#[derive(Clone, Copy)]
pub struct MaskedStderr;

impl<'a> MakeWriter<'a> for MaskedStderr {
    type Writer = Masking<std::io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        Masking {
            inner: std::io::stderr(),
            buffer: Vec::new(),
        }
    }
}

/// Collects one event's output and writes it masked when dropped (the fmt
/// layer makes one writer per event, so a secret is never split between
/// two writes).
pub struct Masking<W: Write> {
    inner: W,
    buffer: Vec<u8>,
}

impl<W: Write> Masking<W> {
    pub fn new(inner: W) -> Self {
        Masking {
            inner,
            buffer: Vec::new(),
        }
    }
}

impl<W: Write> Write for Masking<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.buffer);
        let masked = mask_secrets(&text);
        self.buffer.clear();
        self.inner.write_all(masked.as_bytes())?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Masking<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_masked_even_when_written_in_pieces() {
        let mut out = Vec::new();
        {
            let mut w = Masking::new(&mut out);
            w.write_all(b"connecting to postgres://app:hun").unwrap();
            w.write_all(b"ter2@db/app\n").unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "connecting to postgres://app:***@db/app\n"
        );
    }
}

/// Log lines for the language client, with the level it asked for.
pub mod client {
    use std::sync::atomic::{AtomicU8, Ordering};
    use std::sync::Arc;

    use blueprint_grammars::interpolate::mask_secrets;
    use tokio::sync::mpsc::UnboundedSender;
    use tracing::field::{Field, Visit};
    use tracing::{Event, Level, Subscriber};
    use tracing_subscriber::layer::Context;
    use tracing_subscriber::Layer;

    /// The most verbose level the client wants: 0 off, 1 error, 2 warn,
    /// 3 info, 4 debug, 5 trace. Shared with the backend, which sets it
    /// from the client's `initializationOptions.logLevel` or `$/setTrace`.
    #[derive(Clone, Default)]
    pub struct ClientLevel(Arc<AtomicU8>);

    impl ClientLevel {
        pub fn set(&self, level: &str) {
            let value = match level.to_ascii_lowercase().as_str() {
                "error" => 1,
                "warn" | "warning" => 2,
                "info" | "messages" => 3,
                "debug" | "verbose" => 4,
                "trace" => 5,
                _ => 0,
            };
            self.0.store(value, Ordering::Relaxed);
        }

        fn allows(&self, level: &Level) -> bool {
            let wanted = self.0.load(Ordering::Relaxed);
            let rank = match *level {
                Level::ERROR => 1,
                Level::WARN => 2,
                Level::INFO => 3,
                Level::DEBUG => 4,
                Level::TRACE => 5,
            };
            rank <= wanted
        }
    }

    /// A `tracing` layer that forwards events, masked, to a channel that
    /// the server drains into `window/logMessage` (the layer itself cannot
    /// await).
    pub struct ClientLayer {
        pub level: ClientLevel,
        pub sender: UnboundedSender<(Level, String)>,
    }

    struct Message(String);

    impl Visit for Message {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                self.0.insert_str(0, &format!("{value:?}"));
            } else {
                self.0.push_str(&format!(" {}={value:?}", field.name()));
            }
        }
    }

    impl<S: Subscriber> Layer<S> for ClientLayer {
        fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
            let level = *event.metadata().level();
            if !self.level.allows(&level) {
                return;
            }
            let mut message = Message(String::new());
            event.record(&mut message);
            let line = format!("{}: {}", event.metadata().target(), message.0);
            let _ = self.sender.send((level, mask_secrets(&line)));
        }
    }
}

/// Installs logging for the language server: stderr as for the CLI (when
/// `BLUEPRINT_LOG` is set), and the client's log through `layer`.
pub fn init_lsp(layer: client::ClientLayer) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let stderr = std::env::var(LOG_ENV)
        .ok()
        .filter(|v| !v.is_empty())
        .map(|filter| {
            let filter = EnvFilter::try_new(&filter).unwrap_or_else(|_| EnvFilter::new("info"));
            tracing_subscriber::fmt::layer()
                .with_writer(MaskedStderr)
                .with_ansi(false)
                .with_filter(filter)
        });
    use tracing_subscriber::Layer;
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(layer)
        .try_init();
}
