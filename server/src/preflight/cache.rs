//! Inspection results kept for a while, so that re-running the pre-flight
//! (the language server does on every save) does not ask the database
//! again for what it just answered.
//!
//! The key is the URL with its password masked, plus the list of tables
//! asked about: a catalogue depends on nothing else, so editing a schema's
//! fields reuses it, while adding a store (a new table) does not. No secret
//! goes into a key or a file. Only successful inspections are kept: a
//! failure should be retried as soon as the user fixes its cause.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use blueprint_grammars::interpolate::mask_secrets;
use xxhash_rust::xxh3::Xxh3;

use super::catalog::{Catalog, Probe};

/// Where and how long results are kept.
pub struct Cache {
    ttl: Duration,
    memory: Mutex<HashMap<u64, (SystemTime, Catalog)>>,
    /// A directory to persist entries in across processes (the CLI), or
    /// none (memory only).
    dir: Option<PathBuf>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    written: SystemTime,
    catalog: Catalog,
}

impl Cache {
    /// A cache that keeps nothing (`--no-cache`).
    pub fn disabled() -> Self {
        Cache {
            ttl: Duration::ZERO,
            memory: Mutex::default(),
            dir: None,
        }
    }

    pub fn in_memory(ttl: Duration) -> Self {
        Cache {
            ttl,
            memory: Mutex::default(),
            dir: None,
        }
    }

    /// A cache persisted under the user's cache directory
    /// (`$BLUEPRINT_CACHE_DIR`, else `$XDG_CACHE_HOME/blueprint/preflight`,
    /// else `~/.cache/blueprint/preflight`); memory only when none exists.
    pub fn on_disk(ttl: Duration) -> Self {
        let dir = std::env::var_os("BLUEPRINT_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME")
                    .map(|d| PathBuf::from(d).join("blueprint/preflight"))
            })
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| PathBuf::from(h).join(".cache/blueprint/preflight"))
            });
        Cache {
            ttl,
            memory: Mutex::default(),
            dir,
        }
    }

    /// A cache persisted in `dir`.
    pub fn in_dir(dir: PathBuf, ttl: Duration) -> Self {
        Cache {
            ttl,
            memory: Mutex::default(),
            dir: Some(dir),
        }
    }

    pub fn key(probe: &Probe) -> u64 {
        let mut hasher = Xxh3::new();
        hasher.update(mask_secrets(&probe.url).as_bytes());
        let mut tables = probe.tables.clone();
        tables.sort();
        for t in tables {
            hasher.update(&[0]);
            hasher.update(t.as_bytes());
        }
        hasher.digest()
    }

    pub fn get(&self, key: u64) -> Option<Catalog> {
        if self.ttl.is_zero() {
            return None;
        }
        let fresh = |written: SystemTime| written.elapsed().is_ok_and(|age| age < self.ttl);
        if let Some((written, catalog)) = self.memory.lock().ok()?.get(&key) {
            if fresh(*written) {
                return Some(catalog.clone());
            }
        }
        let file = self.file(key)?;
        let stored: Stored = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
        fresh(stored.written).then_some(stored.catalog)
    }

    pub fn put(&self, key: u64, catalog: &Catalog) {
        if self.ttl.is_zero() {
            return;
        }
        let now = SystemTime::now();
        if let Ok(mut memory) = self.memory.lock() {
            memory.insert(key, (now, catalog.clone()));
        }
        // Best effort: a cache that cannot be written is only slower.
        if let Some(file) = self.file(key) {
            let stored = Stored {
                written: now,
                catalog: catalog.clone(),
            };
            if let (Some(dir), Ok(bytes)) = (file.parent(), serde_json::to_vec(&stored)) {
                let tmp = file.with_extension("tmp");
                let _ = std::fs::create_dir_all(dir)
                    .and_then(|()| std::fs::write(&tmp, bytes))
                    .and_then(|()| std::fs::rename(&tmp, &file));
            }
        }
    }

    /// Forgets every entry, in memory and on disk: the next inspection of
    /// each database asks it again (an explicit re-run by the user).
    pub fn clear(&self) {
        if let Ok(mut memory) = self.memory.lock() {
            memory.clear();
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    fn file(&self, key: u64) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.join(format!("{key:016x}.json")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(url: &str, tables: &[&str]) -> Probe {
        Probe {
            url: url.into(),
            tables: tables.iter().map(|t| t.to_string()).collect(),
            timeout: Duration::from_secs(1),
            pings: 1,
        }
    }

    #[test]
    fn entries_survive_the_process_until_they_expire() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog {
            schema: "public".into(),
            ..Catalog::default()
        };
        let key = Cache::key(&probe("postgres://app:pw@h/db", &["a"]));
        Cache::in_dir(dir.path().to_owned(), Duration::from_secs(60)).put(key, &catalog);
        // A new process (a new cache) reads it from disk.
        assert_eq!(
            Cache::in_dir(dir.path().to_owned(), Duration::from_secs(60)).get(key),
            Some(catalog.clone())
        );
        // Expired.
        assert_eq!(
            Cache::in_dir(dir.path().to_owned(), Duration::from_nanos(1)).get(key),
            None
        );
        // Disabled.
        let off = Cache::disabled();
        off.put(key, &catalog);
        assert_eq!(off.get(key), None);
        // No secret on disk.
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            assert!(!text.contains("pw"), "{text}");
        }
    }

    #[test]
    fn keys_depend_on_the_masked_url_and_the_tables() {
        let k = |url, tables| Cache::key(&probe(url, tables));
        assert_eq!(
            k("postgres://app:one@h/db", &["a", "b"]),
            k("postgres://app:two@h/db", &["b", "a"])
        );
        assert_ne!(
            k("postgres://app@h/db", &["a"]),
            k("postgres://app@h/db", &["a", "b"])
        );
        assert_ne!(
            k("postgres://app@h/db", &["a"]),
            k("postgres://app@h/other", &["a"])
        );
    }
}
