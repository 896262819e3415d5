import './support/useFakeVscode';

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import type { LanguageClient } from 'vscode-languageclient/node';

import { createClient } from '../src/languageClient';
import { readJson } from './support/paths';
import { fake, window, workspace } from './support/vscode';

interface CommandFeature {
  initialize(capabilities: unknown, selector: unknown): void;
}

function client(): LanguageClient {
  return createClient('/usr/bin/blueprint', window.createOutputChannel('Blueprint') as never);
}

describe('createClient', () => {
  beforeEach(() => {
    fake.reset();
  });

  it('leaves the commands the extension owns to the extension', () => {
    const c = client();
    const feature = (c as unknown as { getFeature(method: string): CommandFeature }).getFeature('workspace/executeCommand');
    // What the server announces; registering blueprint.preflight a second
    // time would throw, as VS Code does.
    feature.initialize(
      { executeCommandProvider: { commands: ['blueprint.preflight', 'blueprint.generate', 'blueprint.regenerateComponent'] } },
      undefined,
    );
    assert.deepEqual([...fake.commands.keys()], ['blueprint.generate']);
  });

  it('selects blueprints on disk and untitled ones, and syncs the blueprint section', () => {
    const options = client().clientOptions;
    assert.deepEqual(options.documentSelector, [
      { language: 'blueprint', scheme: 'file' },
      { language: 'blueprint', scheme: 'untitled' },
    ]);
    // Deprecated in favour of pulling, which the server does; the push is
    // what tells it to pull again.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    assert.equal(options.synchronize?.configurationSection, 'blueprint');
  });

  it('sends the current settings as initializationOptions', () => {
    const options = client().clientOptions;
    const initializationOptions = options.initializationOptions as () => unknown;
    assert.deepEqual(initializationOptions(), readJson('test/fixtures/initialization-options.json'));
    workspace.settings.set('liveMetrics.address', '127.0.0.1:9464');
    workspace.settings.set('log.level', 'trace');
    const changed = initializationOptions() as { liveMetrics: { address: string }; log: { level: string } };
    assert.equal(changed.liveMetrics.address, '127.0.0.1:9464');
    assert.equal(changed.log.level, 'trace');
  });

  it('answers workspace/configuration with normalised settings', async () => {
    const configuration = client().clientOptions.middleware?.workspace?.configuration;
    assert.ok(configuration);
    const answers = await configuration(
      { items: [{ section: 'blueprint' }, { section: 'editor' }] },
      { isCancellationRequested: false, onCancellationRequested: () => ({ dispose: () => undefined }) },
      () => [{ liveMetrics: { intervalMs: 10 } }, { tabSize: 2 }],
    );
    assert.ok(Array.isArray(answers));
    assert.equal((answers[0] as { liveMetrics: { intervalMs: number } }).liveMetrics.intervalMs, 50);
    assert.deepEqual(answers[1], { tabSize: 2 });
  });
});
