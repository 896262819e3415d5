import './support/useFakeVscode';

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type * as vscode from 'vscode';

import { README_INSTALL_URL } from '../src/constants';
import { activate, deactivate } from '../src/extension';
import { fake } from './support/vscode';

/** Waits for `condition`, polling: the extension starts the server in the background. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(condition(), `timed out waiting for ${what}`);
}

describe('activation without a server binary', () => {
  const savedPath = process.env.PATH;
  let empty: string;

  before(() => {
    fake.reset();
    empty = fs.mkdtempSync(path.join(os.tmpdir(), 'blueprint-no-server-'));
    process.env.PATH = empty;
  });

  after(async () => {
    await deactivate();
    process.env.PATH = savedPath;
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('says what it looked for, links the README, and keeps the commands', async () => {
    fake.messageAnswer = 'Open README';
    fake.openEditor('blueprint');
    const context = { subscriptions: [] as { dispose(): unknown }[] };
    activate(context as unknown as vscode.ExtensionContext);
    await until(() => fake.opened.length > 0, 'the README to open');

    const [error] = fake.messages;
    assert.equal(error?.kind, 'error');
    assert.match(error.text, /`blueprint` was not found on PATH \(1 directory searched\)/);
    assert.deepEqual(fake.opened, [README_INSTALL_URL]);
    assert.equal(fake.statusBarItems[0]?.text, '$(error) Blueprint');
    assert.ok(fake.commands.has('blueprint.restartServer'));

    // A command that needs the server says why it cannot run.
    const preflight = fake.commands.get('blueprint.preflight');
    assert.ok(preflight);
    await preflight();
    assert.match(fake.messages.at(-1)?.text ?? '', /^Blueprint: the language server `blueprint` was not found/);
  });
});
