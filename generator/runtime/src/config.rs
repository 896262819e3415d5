//! Settings from the environment: `.env`, `${VAR:-default}` expansion.
