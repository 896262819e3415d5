import './support/useFakeVscode';

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { StatusBar } from '../src/statusBar';
import { fake, type FakeStatusBarItem } from './support/vscode';

function item(): FakeStatusBarItem {
  const created = fake.statusBarItems[0];
  assert.ok(created);
  return created;
}

describe('StatusBar', () => {
  beforeEach(() => {
    fake.reset();
  });

  it('spins while starting, and opens the command menu on click', () => {
    fake.openEditor('blueprint');
    new StatusBar();
    assert.equal(item().text, '$(sync~spin) Blueprint');
    assert.equal(item().command, 'blueprint.showCommands');
    assert.equal(item().visible, true);
  });

  it('shows only while a blueprint is the active editor', () => {
    new StatusBar();
    assert.equal(item().visible, false);
    fake.openEditor('blueprint');
    assert.equal(item().visible, true);
    fake.openEditor('yaml');
    assert.equal(item().visible, false);
    fake.openEditor(undefined);
    assert.equal(item().visible, false);
  });

  it('follows the server\'s status and colours problems', () => {
    fake.openEditor('blueprint');
    const bar = new StatusBar();
    bar.show({
      kind: 'running',
      status: {
        preflight: { state: 'findings', message: '2 columns missing' },
        live: { state: 'connected', address: '127.0.0.1:9464', message: 'scraped 1s ago' },
      },
    });
    assert.equal(item().text, '$(warning) pre-flight findings  $(pulse) live 127.0.0.1:9464');
    assert.match(item().tooltip ?? '', /2 columns missing\nLive metrics: scraped 1s ago/);
    assert.equal(item().backgroundColor?.id, 'statusBarItem.warningBackground');
    bar.show({ kind: 'running' });
    assert.equal(item().backgroundColor, undefined);
    bar.show({ kind: 'stopped', message: 'not found' });
    assert.equal(item().backgroundColor?.id, 'statusBarItem.errorBackground');
    bar.dispose();
    assert.equal(item().visible, false);
  });
});
