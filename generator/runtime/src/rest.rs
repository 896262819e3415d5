//! REST over a store, and the intake of endpoints that reach none (see
//! generator/docs/generated-system.md).
