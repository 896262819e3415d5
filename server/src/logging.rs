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
