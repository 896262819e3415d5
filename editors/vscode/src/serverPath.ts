/**
 * Finds the `blueprint` binary: the `blueprint.server.path` setting, else
 * the PATH. The PATH is searched here rather than left to the operating
 * system so that a missing binary gives a message naming what was looked
 * for, instead of a bare ENOENT from the client.
 */
import * as path from 'node:path';

export const SERVER_NAME = 'blueprint';

/** What the search needs from the machine; injected so tests need none. */
export interface Machine {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  homedir: string;
  /** The workspace folder a relative `server.path` is resolved against. */
  workspaceFolder?: string;
  isExecutable(file: string): boolean;
}

export type ServerLookup =
  | { found: true; path: string }
  | { found: false; message: string };

function pathModule(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** The PATH variable; on Windows its name is case-insensitive. */
function pathVariable(env: Record<string, string | undefined>, platform: NodeJS.Platform): string {
  if (platform !== 'win32') {
    return env.PATH ?? '';
  }
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH');
  return key === undefined ? '' : env[key] ?? '';
}

/** The file names to try in each directory. */
function candidates(platform: NodeJS.Platform, env: Record<string, string | undefined>): string[] {
  if (platform !== 'win32') {
    return [SERVER_NAME];
  }
  const extensions = (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e !== '');
  return extensions.map((e) => SERVER_NAME + e.toLowerCase());
}

function configured(setting: string, machine: Machine): ServerLookup {
  const p = pathModule(machine.platform);
  let file = setting;
  if (file === '~' || file.startsWith('~/') || file.startsWith('~\\')) {
    file = p.join(machine.homedir, file.slice(1));
  }
  if (!p.isAbsolute(file) && machine.workspaceFolder !== undefined) {
    file = p.resolve(machine.workspaceFolder, file);
  }
  if (machine.isExecutable(file)) {
    return { found: true, path: file };
  }
  return {
    found: false,
    message:
      `Blueprint: the setting blueprint.server.path is "${setting}", ` +
      `but ${file} is not an executable file.`,
  };
}

/** Resolves the server binary, or says what was looked for. */
export function findServer(setting: string, machine: Machine): ServerLookup {
  if (setting.trim() !== '') {
    return configured(setting.trim(), machine);
  }
  const p = pathModule(machine.platform);
  const delimiter = machine.platform === 'win32' ? ';' : ':';
  const directories = pathVariable(machine.env, machine.platform)
    .split(delimiter)
    .filter((d) => d !== '');
  for (const directory of directories) {
    for (const name of candidates(machine.platform, machine.env)) {
      const file = p.join(directory, name);
      if (machine.isExecutable(file)) {
        return { found: true, path: file };
      }
    }
  }
  return {
    found: false,
    message:
      `Blueprint: the language server \`${SERVER_NAME}\` was not found on PATH ` +
      `(${directories.length} ${directories.length === 1 ? 'directory' : 'directories'} searched). Install it with ` +
      '`cargo install --path server` from the Blueprint repository, ' +
      'or set blueprint.server.path to the binary.',
  };
}
