/** The real machine for `findServer`: Node's view of this process. */
import * as fs from 'node:fs';
import * as os from 'node:os';

import type { Machine } from './serverPath';

export function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    // Windows has no execute bit: an existing file with a PATHEXT
    // extension is what the shell would run.
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

export function thisMachine(workspaceFolder: string | undefined): Machine {
  return {
    platform: process.platform,
    env: process.env,
    homedir: os.homedir(),
    workspaceFolder,
    isExecutable,
  };
}
