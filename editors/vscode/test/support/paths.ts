/** Files of the extension, from the compiled tests in out/test/. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

export function readJson(relative: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(ROOT, relative), 'utf8'));
}
