import './support/useFakeVscode';

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { registerCommands, type Server } from '../src/commands';
import type { ExecuteCommand } from '../src/serverCommands';
import { fake, Uri } from './support/vscode';

const URI = 'file:///work/app.blueprint.yaml';

/** A server that records requests and answers as told. */
class FakeServer implements Server {
  requests: ExecuteCommand[] = [];
  answer: () => Promise<unknown> = () => Promise.resolve(null);
  symbols: () => Promise<unknown> = () => Promise.resolve([]);
  restarts = 0;

  executeCommand(request: ExecuteCommand): Promise<unknown> {
    this.requests.push(request);
    return this.answer();
  }
  documentSymbols(): Promise<unknown> {
    return this.symbols();
  }
  restart(): Promise<void> {
    this.restarts += 1;
    return Promise.resolve();
  }
}

let server: FakeServer;

async function run(id: string, ...args: unknown[]): Promise<void> {
  const handler = fake.commands.get(id);
  assert.ok(handler, `${id} is registered`);
  await handler(...args);
}

describe('commands', () => {
  beforeEach(() => {
    fake.reset();
    server = new FakeServer();
    registerCommands(server);
  });

  it('registers every palette command', () => {
    assert.deepEqual([...fake.commands.keys()].sort(), [
      'blueprint.connect',
      'blueprint.disconnect',
      'blueprint.generateSystem',
      'blueprint.preflight',
      'blueprint.regenerateComponent',
      'blueprint.restartServer',
      'blueprint.showCommands',
    ]);
  });

  it('generates the active blueprint and reports the outcome', async () => {
    fake.openEditor('blueprint', URI);
    server.answer = () => Promise.resolve({ applied: true });
    await run('blueprint.generateSystem');
    assert.deepEqual(server.requests, [{ command: 'blueprint.generate', arguments: [URI] }]);
    assert.deepEqual(fake.messages, [{ kind: 'info', text: 'Blueprint: generated the system.' }]);
  });

  it('asks for a blueprint when the active editor is something else', async () => {
    fake.openEditor('yaml');
    await run('blueprint.preflight');
    fake.openEditor(undefined);
    await run('blueprint.generateSystem');
    assert.deepEqual(server.requests, []);
    assert.equal(fake.messages.length, 2);
    assert.ok(fake.messages.every((m) => m.kind === 'warning' && /Open a \*\.blueprint\.yaml file/.test(m.text)));
  });

  it('shows the server\'s error', async () => {
    fake.openEditor('blueprint', URI);
    server.answer = () => Promise.reject(new Error('the blueprint has errors; fix them before generating'));
    await run('blueprint.generateSystem');
    assert.deepEqual(fake.messages, [
      { kind: 'error', text: 'Blueprint: the blueprint has errors; fix them before generating' },
    ]);
  });

  it('runs the pre-flight of the active blueprint, or of the one a lens names', async () => {
    fake.openEditor('blueprint', URI);
    await run('blueprint.preflight');
    await run('blueprint.preflight', 'file:///other.blueprint.yaml');
    await run('blueprint.preflight', Uri.parse('file:///third.blueprint.yaml'));
    assert.deepEqual(server.requests, [
      { command: 'blueprint.preflight', arguments: [URI] },
      { command: 'blueprint.preflight', arguments: ['file:///other.blueprint.yaml'] },
      { command: 'blueprint.preflight', arguments: ['file:///third.blueprint.yaml'] },
    ]);
    assert.deepEqual(fake.messages, []);
  });

  it('offers the outline\'s components to regenerate', async () => {
    fake.openEditor('blueprint', URI);
    server.symbols = () =>
      Promise.resolve([
        {
          name: 'tracker',
          detail: 'system',
          kind: 3,
          children: [
            { name: 'task_api', detail: 'APIEndpoint', kind: 5 },
            { name: 'task_store', detail: 'Store', kind: 5 },
          ],
        },
      ]);
    fake.pick = (items) => items[1];
    await run('blueprint.regenerateComponent');
    assert.deepEqual(fake.quickPicks, [
      [
        { label: 'task_api', description: 'APIEndpoint' },
        { label: 'task_store', description: 'Store' },
      ],
    ]);
    assert.deepEqual(server.requests, [{ command: 'blueprint.regenerateComponent', arguments: [URI, 'task_store'] }]);
  });

  it('asks for the component name when there is no outline, and stops when dismissed', async () => {
    fake.openEditor('blueprint', URI);
    server.symbols = () => Promise.reject(new Error('busy'));
    fake.inputAnswer = ' task_store ';
    await run('blueprint.regenerateComponent');
    assert.deepEqual(server.requests, [{ command: 'blueprint.regenerateComponent', arguments: [URI, 'task_store'] }]);
    assert.equal(fake.inputOptions[0]?.validateInput?.('  '), 'Enter a component name.');
    fake.inputAnswer = undefined;
    await run('blueprint.regenerateComponent');
    assert.equal(server.requests.length, 1);
  });

  it('connects to the typed address, or to the blueprint\'s own', async () => {
    fake.inputAnswer = '127.0.0.1:9464';
    await run('blueprint.connect');
    fake.inputAnswer = '';
    await run('blueprint.connect');
    fake.inputAnswer = undefined;
    await run('blueprint.connect');
    assert.deepEqual(server.requests, [
      { command: 'blueprint.live.connect', arguments: ['127.0.0.1:9464'] },
      { command: 'blueprint.live.connect', arguments: [] },
    ]);
    const validate = fake.inputOptions[0]?.validateInput;
    assert.equal(validate?.('127.0.0.1:9464'), undefined);
    assert.match(validate?.('localhost:0') ?? '', /between 1 and 65535/);
  });

  it('disconnects and restarts', async () => {
    await run('blueprint.disconnect');
    await run('blueprint.restartServer');
    assert.deepEqual(server.requests, [{ command: 'blueprint.live.disconnect', arguments: [] }]);
    assert.equal(server.restarts, 1);
  });

  it('offers the commands from the status bar', async () => {
    fake.pick = (items) => items.find((i) => i.label.includes('Pre-flight'));
    await run('blueprint.showCommands');
    assert.deepEqual(fake.executed, ['blueprint.preflight']);
    assert.equal(fake.quickPicks[0]?.length, 6);
  });
});
