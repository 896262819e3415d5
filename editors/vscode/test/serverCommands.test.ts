import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { componentsOf } from '../src/components';
import * as requests from '../src/serverCommands';

const URI = 'file:///work/app.blueprint.yaml';

describe('server command requests', () => {
  it('builds the executeCommand params', () => {
    assert.deepEqual(requests.generateSystem(URI), { command: 'blueprint.generate', arguments: [URI] });
    assert.deepEqual(requests.regenerateComponent(URI, 'task_store'), {
      command: 'blueprint.regenerateComponent',
      arguments: [URI, 'task_store'],
    });
    assert.deepEqual(requests.preflight(URI), { command: 'blueprint.preflight', arguments: [URI] });
    assert.deepEqual(requests.connect(' 127.0.0.1:9464 '), {
      command: 'blueprint.live.connect',
      arguments: ['127.0.0.1:9464'],
    });
    assert.deepEqual(requests.connect(''), { command: 'blueprint.live.connect', arguments: [] });
    assert.deepEqual(requests.disconnect(), { command: 'blueprint.live.disconnect', arguments: [] });
  });

  it('withholds from the language client the commands the extension registers', () => {
    assert.deepEqual([...requests.OWNED_SERVER_COMMANDS].sort(), ['blueprint.preflight', 'blueprint.regenerateComponent']);
    assert.deepEqual(
      requests.clientRegistered(['blueprint.preflight', 'blueprint.generate', 'blueprint.regenerateComponent', 'blueprint.live.connect']),
      ['blueprint.generate', 'blueprint.live.connect'],
    );
    assert.deepEqual(requests.clientRegistered(undefined), []);
  });

  it('describes what generation did', () => {
    const generate = requests.generateSystem(URI);
    assert.equal(requests.describeResult(generate, { applied: true }), 'Blueprint: generated the system.');
    assert.equal(
      requests.describeResult(generate, { applied: false, reason: 'up to date' }),
      'Blueprint: nothing to generate for the system (up to date).',
    );
    assert.equal(
      requests.describeResult(requests.regenerateComponent(URI, 'task_store'), { applied: false }),
      'Blueprint: the generated files for component task_store were not applied.',
    );
    assert.equal(requests.describeResult(generate, null), undefined);
    assert.equal(requests.describeResult(requests.preflight(URI), { applied: true }), undefined);
  });
});

describe('componentsOf', () => {
  const CLASS = 5;
  const outline = [
    {
      name: 'task_tracker',
      detail: 'system',
      kind: 3,
      children: [
        { name: 'main', detail: 'sqlite', kind: 23, children: [] },
        { name: 'task_api', detail: 'APIEndpoint', kind: CLASS, children: [{ name: 'commands', kind: 11 }] },
        { name: 'task_store', detail: 'Store', kind: CLASS, children: [] },
        { name: 'task_store', detail: 'Store', kind: CLASS, children: [] },
        { name: '', kind: CLASS },
        { name: 'task_api.commands → task_store.input', kind: 24 },
      ],
    },
    { name: 'Task', detail: 'object', kind: 23, children: [] },
  ];

  it('lists the system\'s components once each, in order', () => {
    assert.deepEqual(componentsOf(outline), [
      { name: 'task_api', type: 'APIEndpoint' },
      { name: 'task_store', type: 'Store' },
    ]);
  });

  it('reads a flat symbol list', () => {
    const location = { uri: URI, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };
    assert.deepEqual(
      componentsOf([
        { name: 'task_api', kind: CLASS, location },
        { name: 'Task', kind: 23, location },
      ]),
      [{ name: 'task_api' }],
    );
  });

  it('finds none in a null answer or an outline without a system', () => {
    assert.deepEqual(componentsOf(null), []);
    assert.deepEqual(componentsOf([{ name: 'Task', detail: 'object', kind: 23 }]), []);
  });
});
