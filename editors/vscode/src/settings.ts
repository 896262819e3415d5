/**
 * The `blueprint.*` settings, read from VS Code's configuration and handed
 * to the server, both as `initializationOptions` and as the answer to
 * `workspace/configuration`. Values are normalised here so that the server
 * sees the same well-typed object whichever way it asks.
 */

import { CONFIGURATION_SECTION } from './constants';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';

export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug', 'trace'];

/** Shortest scrape interval the server accepts (it clamps below this too). */
export const MIN_INTERVAL_MS = 50;

export interface BlueprintSettings {
  server: { path: string };
  preflight: { onSave: boolean };
  liveMetrics: {
    /** Empty: the blueprint's own `observability.metrics.listen`. */
    address: string;
    intervalMs: number;
    enabled: boolean;
    /** Acquire-wait p95 (ms) at which a pool counts as saturated. */
    saturationWaitMs: number;
    /** Share of failed messages (%) at which a component warns. */
    errorRatePercent: number;
  };
  log: { level: LogLevel };
  envFile: string;
}

export const DEFAULT_SETTINGS: BlueprintSettings = {
  server: { path: '' },
  preflight: { onSave: true },
  liveMetrics: { address: '', intervalMs: 5000, enabled: true, saturationWaitMs: 10, errorRatePercent: 5 },
  log: { level: 'info' },
  envFile: '.env',
};

/** Reads one setting by its dotted key below `blueprint.` (`"server.path"`). */
export type Lookup = (key: string) => unknown;

/** A lookup into a plain object, such as a configuration section as JSON. */
export function lookupIn(section: unknown): Lookup {
  return (key) => {
    let value: unknown = section;
    for (const part of key.split('.')) {
      if (typeof value !== 'object' || value === null) {
        return undefined;
      }
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value.trim() : fallback;
}

function flag(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

// The server reads the interval as an unsigned integer, so a fraction or a
// value below its minimum would silently fall back to its default there.
function interval(value: unknown, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fallback;
  }
  return Math.max(MIN_INTERVAL_MS, Math.round(value));
}

// Thresholds: any finite number from 0 up (the server ignores others).
function threshold(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function level(value: unknown, fallback: LogLevel): LogLevel {
  return LOG_LEVELS.find((l) => l === value) ?? fallback;
}

/** The settings, with defaults for what is missing or of the wrong type. */
export function readSettings(get: Lookup): BlueprintSettings {
  const d = DEFAULT_SETTINGS;
  return {
    server: { path: text(get('server.path'), d.server.path) },
    preflight: { onSave: flag(get('preflight.onSave'), d.preflight.onSave) },
    liveMetrics: {
      address: text(get('liveMetrics.address'), d.liveMetrics.address),
      intervalMs: interval(get('liveMetrics.intervalMs'), d.liveMetrics.intervalMs),
      enabled: flag(get('liveMetrics.enabled'), d.liveMetrics.enabled),
      saturationWaitMs: threshold(get('liveMetrics.saturationWaitMs'), d.liveMetrics.saturationWaitMs),
      errorRatePercent: threshold(get('liveMetrics.errorRatePercent'), d.liveMetrics.errorRatePercent),
    },
    log: { level: level(get('log.level'), d.log.level) },
    envFile: text(get('envFile'), d.envFile),
  };
}

/**
 * What `initialize` carries: the whole `blueprint` section, so that the
 * server is configured before its first analysis, without waiting for a
 * `workspace/configuration` round trip.
 */
export function initializationOptions(settings: BlueprintSettings): BlueprintSettings {
  // A copy: the client keeps this object, the caller may keep `settings`.
  return structuredClone(settings);
}

/** One item of a `workspace/configuration` request. */
export interface ConfigurationItem {
  section?: string;
  scopeUri?: string;
}

/**
 * The client's answer to `workspace/configuration`, with each `blueprint`
 * section replaced by its normalised form; other sections pass unchanged.
 */
export function normaliseConfiguration(items: readonly ConfigurationItem[], answers: readonly unknown[]): unknown[] {
  return answers.map((answer, i) =>
    items[i]?.section === CONFIGURATION_SECTION ? readSettings(lookupIn(answer)) : answer,
  );
}
