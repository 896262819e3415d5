import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseStatus, render, type ServerStatus } from '../src/status';

function status(
  preflight: ServerStatus['preflight']['state'],
  live: ServerStatus['live']['state'],
  address: string | null = null,
): ServerStatus {
  return {
    preflight: { state: preflight, message: `pre-flight is ${preflight}` },
    live: { state: live, address, message: `live is ${live}` },
  };
}

describe('parseStatus', () => {
  it('reads the notification', () => {
    const params = {
      preflight: { state: 'ok', message: 'main: PostgreSQL 16.2, 3 tables ok' },
      live: { state: 'connected', address: '127.0.0.1:9464', message: 'scraped 2s ago' },
    };
    assert.deepEqual(parseStatus(params), params);
  });

  it('treats a missing or empty address as none', () => {
    const parsed = parseStatus({ preflight: { state: 'idle' }, live: { state: 'off', address: '' } });
    assert.deepEqual(parsed, {
      preflight: { state: 'idle', message: '' },
      live: { state: 'off', address: null, message: '' },
    });
  });

  it('ignores what does not fit the contract', () => {
    assert.equal(parseStatus(null), undefined);
    assert.equal(parseStatus({ preflight: { state: 'ok' } }), undefined);
    assert.equal(parseStatus({ preflight: { state: 'great' }, live: { state: 'off' } }), undefined);
    assert.equal(parseStatus({ preflight: { state: 'ok' }, live: { state: 'maybe' } }), undefined);
  });
});

describe('render', () => {
  it('spins while the server starts', () => {
    assert.deepEqual(render({ kind: 'starting' }).text, '$(sync~spin) Blueprint');
  });

  it('is idle before the first notification', () => {
    const rendered = render({ kind: 'running' });
    assert.equal(rendered.text, '$(database) pre-flight idle');
    assert.equal(rendered.severity, 'none');
  });

  it('shows pre-flight and live state', () => {
    assert.equal(
      render({ kind: 'running', status: status('ok', 'connected', '127.0.0.1:9464') }).text,
      '$(database) pre-flight ok  $(pulse) live 127.0.0.1:9464',
    );
    assert.equal(
      render({ kind: 'running', status: status('running', 'not-connected') }).text,
      '$(sync~spin) pre-flight running  $(circle-slash) not connected',
    );
    assert.equal(render({ kind: 'running', status: status('findings', 'off') }).text, '$(warning) pre-flight findings');
    assert.equal(
      render({ kind: 'running', status: status('unreachable', 'off') }).text,
      '$(error) pre-flight unreachable',
    );
  });

  it('puts both messages in the tooltip', () => {
    const tooltip = render({ kind: 'running', status: status('ok', 'connected', 'h:1') }).tooltip;
    assert.match(tooltip, /^Pre-flight: pre-flight is ok\nLive metrics: live is connected\n/);
    assert.match(tooltip, /Click for Blueprint commands/);
  });

  it('colours findings and unreachable databases', () => {
    assert.equal(render({ kind: 'running', status: status('findings', 'off') }).severity, 'warning');
    assert.equal(render({ kind: 'running', status: status('unreachable', 'off') }).severity, 'error');
    assert.equal(render({ kind: 'running', status: status('ok', 'not-connected') }).severity, 'none');
  });

  it('says why the server is not running', () => {
    const rendered = render({ kind: 'stopped', message: 'blueprint was not found on PATH' });
    assert.equal(rendered.text, '$(error) Blueprint');
    assert.match(rendered.tooltip, /^blueprint was not found on PATH/);
    assert.equal(rendered.severity, 'error');
  });
});
