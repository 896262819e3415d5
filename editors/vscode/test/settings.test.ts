import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_SETTINGS,
  initializationOptions,
  lookupIn,
  normaliseConfiguration,
  readSettings,
} from '../src/settings';
import { readJson } from './support/paths';

interface Manifest {
  contributes: { configuration: { properties: Record<string, { default: unknown }> } };
}

/** The defaults package.json declares, as VS Code would report them. */
function manifestDefaults(): (key: string) => unknown {
  const properties = (readJson('package.json') as Manifest).contributes.configuration.properties;
  return (key) => properties[`blueprint.${key}`]?.default;
}

describe('settings', () => {
  it('declares in package.json the defaults the code assumes', () => {
    assert.deepEqual(readSettings(manifestDefaults()), DEFAULT_SETTINGS);
  });

  it('sends the fixture as initializationOptions under default settings', () => {
    // Other clients of the server (tests/vscode-client) read this file to
    // initialize the server exactly as the extension does.
    const fixture = readJson('test/fixtures/initialization-options.json');
    assert.deepEqual(initializationOptions(readSettings(manifestDefaults())), fixture);
  });

  it('every declared setting is read', () => {
    const properties = (readJson('package.json') as Manifest).contributes.configuration.properties;
    const declared = Object.keys(properties).map((k) => k.replace(/^blueprint\./, '')).sort();
    const flatten = (value: unknown, prefix = ''): string[] =>
      typeof value === 'object' && value !== null
        ? Object.entries(value).flatMap(([k, v]) => flatten(v, `${prefix}${k}.`))
        : [prefix.slice(0, -1)];
    assert.deepEqual(flatten(DEFAULT_SETTINGS).sort(), declared);
  });

  it('reads a section object', () => {
    const settings = readSettings(
      lookupIn({
        server: { path: ' /opt/blueprint ' },
        preflight: { onSave: false },
        liveMetrics: {
          address: '10.0.0.2:9464',
          intervalMs: 1000,
          enabled: false,
          saturationWaitMs: 25,
          errorRatePercent: -1,
        },
        log: { level: 'debug' },
        envFile: 'local.env',
      }),
    );
    assert.deepEqual(settings, {
      server: { path: '/opt/blueprint' },
      preflight: { onSave: false },
      // A negative threshold is no threshold: the default stands.
      liveMetrics: {
        address: '10.0.0.2:9464',
        intervalMs: 1000,
        enabled: false,
        saturationWaitMs: 25,
        errorRatePercent: 5,
      },
      log: { level: 'debug' },
      envFile: 'local.env',
    });
  });

  it('replaces values of the wrong type or range by defaults', () => {
    const settings = readSettings(
      lookupIn({
        server: { path: 7 },
        preflight: { onSave: 'yes' },
        liveMetrics: { intervalMs: 10.4 },
        log: { level: 'verbose' },
        envFile: null,
      }),
    );
    assert.equal(settings.server.path, '');
    assert.equal(settings.preflight.onSave, true);
    assert.equal(settings.liveMetrics.intervalMs, 50, 'the interval is clamped to the minimum');
    assert.equal(settings.log.level, 'info');
    assert.equal(settings.envFile, '.env');
    assert.equal(readSettings(lookupIn({ liveMetrics: { intervalMs: 1234.6 } })).liveMetrics.intervalMs, 1235);
    assert.equal(readSettings(lookupIn({ liveMetrics: { intervalMs: Number.NaN } })).liveMetrics.intervalMs, 5000);
    assert.deepEqual(readSettings(lookupIn(undefined)), DEFAULT_SETTINGS);
  });

  it('gives initializationOptions a copy', () => {
    const settings = readSettings(lookupIn({}));
    const options = initializationOptions(settings);
    options.liveMetrics.address = 'changed:1';
    assert.equal(settings.liveMetrics.address, '');
  });

  it('normalises only the blueprint section of a workspace/configuration answer', () => {
    const answers = normaliseConfiguration(
      [{ section: 'blueprint' }, { section: 'yaml' }, {}],
      [{ liveMetrics: { intervalMs: 20 } }, { format: true }, null],
    );
    assert.deepEqual(answers[0], {
      ...DEFAULT_SETTINGS,
      liveMetrics: { ...DEFAULT_SETTINGS.liveMetrics, intervalMs: 50 },
    });
    assert.deepEqual(answers.slice(1), [{ format: true }, null]);
  });
});
