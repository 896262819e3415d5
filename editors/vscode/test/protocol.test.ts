/**
 * The client against a stand-in server that speaks the contract the real
 * one is growing into: it records `initializationOptions`, sends
 * `blueprint/status`, asks for `workspace/configuration`, and announces a
 * command the extension registers itself.
 */
import './support/useFakeVscode';

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { registerCommands } from '../src/commands';
import { ServerClient } from '../src/server';
import { StatusBar } from '../src/statusBar';
import { readJson } from './support/paths';
import { fake, window, workspace } from './support/vscode';

const STATUS = {
  preflight: { state: 'findings', message: 'main: column tasks.title is missing' },
  live: { state: 'connected', address: '127.0.0.1:9464', message: 'scraped 1s ago' },
};

function standInServer(): string {
  const rpc = require.resolve('vscode-jsonrpc/node');
  return `#!${process.execPath}
const rpc = require(${JSON.stringify(rpc)});
const connection = rpc.createMessageConnection(
  new rpc.StreamMessageReader(process.stdin),
  new rpc.StreamMessageWriter(process.stdout),
);
let options;
connection.onRequest('initialize', (params) => {
  options = params.initializationOptions;
  return { capabilities: { executeCommandProvider: { commands: ['blueprint.preflight', 'test.echo'] } } };
});
connection.onNotification('initialized', () => {
  connection.sendNotification('blueprint/status', ${JSON.stringify(STATUS)});
});
connection.onRequest('workspace/executeCommand', async (params) => {
  switch (params.command) {
    case 'test.initializationOptions':
      return options;
    case 'test.configuration':
      return connection.sendRequest('workspace/configuration', { items: [{ section: 'blueprint' }] });
    default:
      return new rpc.ResponseError(-32602, 'unknown command ' + params.command);
  }
});
connection.onRequest('shutdown', () => null);
connection.onNotification('exit', () => process.exit(0));
connection.listen();
`;
}

describe('the client and the server protocol', () => {
  let dir: string;
  let server: ServerClient;

  before(async () => {
    fake.reset();
    fake.openEditor('blueprint');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blueprint-stand-in-'));
    const script = path.join(dir, 'blueprint');
    fs.writeFileSync(script, standInServer(), { mode: 0o755 });
    workspace.settings.set('server.path', script);
    workspace.settings.set('liveMetrics.intervalMs', 1000);
    server = new ServerClient(new StatusBar(), window.createOutputChannel('Blueprint') as never);
    // As in activate(): the extension's commands exist before the client
    // starts, so a second registration of blueprint.preflight would fail it.
    registerCommands(server);
    await server.start();
  });

  after(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts although the server announces a command the extension owns', () => {
    assert.deepEqual(fake.messages, []);
    assert.ok(fake.commands.has('test.echo'), 'the client registers the others');
  });

  it('sends the blueprint settings as initializationOptions', async () => {
    const expected = readJson('test/fixtures/initialization-options.json') as { liveMetrics: object };
    const sent = await server.executeCommand({ command: 'test.initializationOptions', arguments: [] });
    assert.deepEqual(sent, {
      ...expected,
      server: { path: path.join(dir, 'blueprint') },
      liveMetrics: { ...expected.liveMetrics, intervalMs: 1000 },
    });
  });

  it('answers workspace/configuration with the normalised section', async () => {
    const [answer] = (await server.executeCommand({ command: 'test.configuration', arguments: [] })) as unknown[];
    assert.deepEqual(Object.keys(answer as object).sort(), ['envFile', 'liveMetrics', 'log', 'preflight', 'server']);
  });

  it('shows blueprint/status in the status bar', async () => {
    for (let i = 0; i < 200 && !fake.statusBarItems[0]?.text.includes('findings'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const item = fake.statusBarItems[0];
    assert.equal(item?.text, '$(warning) pre-flight findings  $(pulse) live 127.0.0.1:9464');
    assert.match(item.tooltip ?? '', /column tasks\.title is missing\nLive metrics: scraped 1s ago/);
  });

  it('shows a JSON-RPC error from a palette command', async () => {
    const preflight = fake.commands.get('blueprint.preflight');
    assert.ok(preflight);
    await preflight('file:///work/app.blueprint.yaml');
    assert.deepEqual(fake.messages.at(-1), { kind: 'error', text: 'Blueprint: unknown command blueprint.preflight' });
  });
});
