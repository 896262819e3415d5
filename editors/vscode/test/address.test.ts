import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { connectArguments, validateAddress } from '../src/address';

describe('validateAddress', () => {
  it('accepts host:port and empty input', () => {
    for (const ok of ['', '   ', '127.0.0.1:9464', 'localhost:1', 'metrics.internal:65535', '[::1]:9464', ' api-1:80 ']) {
      assert.equal(validateAddress(ok), undefined, ok);
    }
  });

  it('rejects other shapes', () => {
    for (const bad of ['localhost', ':9464', 'http://localhost:9464', 'host:port', 'a b:1', '-host:1', '::1:9464', 'host:']) {
      assert.match(validateAddress(bad) ?? '', /Expected host:port/, bad);
    }
  });

  it('rejects ports outside 1-65535', () => {
    assert.match(validateAddress('localhost:0') ?? '', /between 1 and 65535, not 0/);
    assert.match(validateAddress('localhost:65536') ?? '', /between 1 and 65535/);
    assert.match(validateAddress('localhost:123456789') ?? '', /between 1 and 65535/);
  });
});

describe('connectArguments', () => {
  it('is empty for the blueprint\'s own address, else the trimmed address', () => {
    assert.deepEqual(connectArguments(''), []);
    assert.deepEqual(connectArguments('  '), []);
    assert.deepEqual(connectArguments(' 127.0.0.1:9464 '), ['127.0.0.1:9464']);
  });
});
