import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { findServer, type Machine } from '../src/serverPath';

function machine(executables: string[], overrides: Partial<Machine> = {}): Machine {
  return {
    platform: 'linux',
    env: { PATH: '/usr/local/bin:/usr/bin:/home/me/.cargo/bin' },
    homedir: '/home/me',
    isExecutable: (file) => executables.includes(file),
    ...overrides,
  };
}

describe('findServer', () => {
  it('takes the first blueprint on PATH', () => {
    const found = findServer('', machine(['/home/me/.cargo/bin/blueprint', '/usr/bin/blueprint']));
    assert.deepEqual(found, { found: true, path: '/usr/bin/blueprint' });
  });

  it('says what it looked for when PATH has none', () => {
    const result = findServer('', machine([]));
    assert.equal(result.found, false);
    assert.ok(!result.found);
    assert.match(result.message, /`blueprint` was not found on PATH \(3 directories searched\)/);
    assert.match(result.message, /cargo install --path server/);
    assert.match(result.message, /blueprint\.server\.path/);
  });

  it('copes with an empty or missing PATH', () => {
    const result = findServer('', machine([], { env: {} }));
    assert.ok(!result.found);
    assert.match(result.message, /0 directories searched/);
  });

  it('uses the setting, and only the setting, when set', () => {
    assert.deepEqual(findServer('/opt/bp/blueprint', machine(['/opt/bp/blueprint'])), {
      found: true,
      path: '/opt/bp/blueprint',
    });
    const missing = findServer('/opt/bp/blueprint', machine(['/usr/bin/blueprint']));
    assert.ok(!missing.found);
    assert.match(missing.message, /blueprint\.server\.path is "\/opt\/bp\/blueprint"/);
    assert.match(missing.message, /not an executable file/);
  });

  it('expands ~ and resolves a relative setting against the workspace folder', () => {
    assert.deepEqual(findServer('~/bin/blueprint', machine(['/home/me/bin/blueprint'])), {
      found: true,
      path: '/home/me/bin/blueprint',
    });
    const relative = machine(['/work/repo/target/debug/blueprint'], { workspaceFolder: '/work/repo' });
    assert.deepEqual(findServer('target/debug/blueprint', relative), {
      found: true,
      path: '/work/repo/target/debug/blueprint',
    });
  });

  it('tries PATHEXT extensions and a case-insensitive Path on Windows', () => {
    const windows = machine(['C:\\tools\\blueprint.exe'], {
      platform: 'win32',
      env: { Path: 'C:\\Windows;C:\\tools', PATHEXT: '.COM;.EXE' },
      homedir: 'C:\\Users\\me',
    });
    assert.deepEqual(findServer('', windows), { found: true, path: 'C:\\tools\\blueprint.exe' });
  });
});
