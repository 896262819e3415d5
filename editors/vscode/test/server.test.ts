/**
 * The extension's client against the real server: BLUEPRINT_BIN names the
 * binary (the Rust test that runs `npm run check` sets it), else the
 * repository's target/debug/blueprint; skipped when there is none.
 */
import './support/useFakeVscode';

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ServerClient } from '../src/server';
import { StatusBar } from '../src/statusBar';
import { ROOT } from './support/paths';
import { fake, window, workspace } from './support/vscode';

const bin = process.env.BLUEPRINT_BIN ?? path.resolve(ROOT, '../../target/debug/blueprint');
const skip = fs.existsSync(bin) ? false : `no blueprint binary at ${bin} (set BLUEPRINT_BIN)`;

describe('ServerClient with blueprint lsp', { skip }, () => {
  let server: ServerClient;

  before(async () => {
    fake.reset();
    fake.openEditor('blueprint');
    workspace.settings.set('server.path', bin);
    server = new ServerClient(new StatusBar(), window.createOutputChannel('Blueprint') as never);
    await server.start();
  });

  after(async () => {
    await server.stop();
  });

  it('starts the server and shows it idle', () => {
    assert.deepEqual(fake.messages, []);
    assert.equal(fake.statusBarItems[0]?.text, '$(database) pre-flight idle');
  });

  it('runs server commands and passes on their errors', async () => {
    assert.equal(await server.executeCommand({ command: 'blueprint.preflight', arguments: [] }), null);
    await assert.rejects(server.executeCommand({ command: 'blueprint.nonexistent', arguments: [] }), /unknown command/);
  });

  it('restarts, and reports a binary that went missing', async () => {
    await server.restart();
    assert.equal(await server.executeCommand({ command: 'blueprint.preflight', arguments: [] }), null);
    workspace.settings.set('server.path', '/nonexistent/blueprint');
    await server.restart();
    assert.match(fake.messages.at(-1)?.text ?? '', /blueprint\.server\.path is "\/nonexistent\/blueprint"/);
    await assert.rejects(server.executeCommand({ command: 'blueprint.preflight', arguments: [] }), /not an executable file/);
  });
});
