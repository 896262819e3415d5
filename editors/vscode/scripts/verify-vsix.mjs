// Checks the packaged extension: opens the .vsix that `npm run package`
// made (a zip) and asserts that it ships the bundle and the manifest, and
// nothing a user does not need: no sources, no source maps, no
// node_modules. Reads the zip with Node alone, so it needs no unzip tool.
//
// Usage: node scripts/verify-vsix.mjs [file.vsix]
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const file = path.resolve(process.argv[2] ?? path.join(root, `${manifest.name}-${manifest.version}.vsix`));

/** The entries of a zip archive: name -> () => contents. */
function readZip(buffer) {
  // The end-of-central-directory record: the last one in the file, after
  // at most a 64 KiB comment.
  let end = buffer.length - 22;
  const stop = Math.max(0, end - 0xffff);
  while (end >= stop && buffer.readUInt32LE(end) !== 0x06054b50) {
    end -= 1;
  }
  assert.ok(end >= stop, `${file} is not a zip archive`);
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  const entries = new Map();
  for (let i = 0; i < count; i += 1) {
    assert.equal(buffer.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const method = buffer.readUInt16LE(at + 10);
    const compressed = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, () => {
      const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
      const data = buffer.subarray(start, start + compressed);
      return method === 8 ? zlib.inflateRawSync(data) : data;
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

assert.ok(fs.existsSync(file), `${file} not found: run \`npm run package\` first`);
const entries = readZip(fs.readFileSync(file));
const names = [...entries.keys()];

const unwanted = names.filter(
  (n) => n.endsWith('.map') || n.includes('node_modules/') || /^extension\/(src|test)\//.test(n) || n.endsWith('.ts'),
);
assert.deepEqual(unwanted, [], 'files that should not be packaged');

for (const needed of [
  'extension/package.json',
  'extension/out/extension.js',
  'extension/readme.md',
  'extension/language-configuration.json',
  'extension/syntaxes/blueprint.tmLanguage.json',
]) {
  assert.ok(
    names.some((n) => n.toLowerCase() === needed.toLowerCase()),
    `${needed} is missing from ${path.basename(file)}; it has:\n${names.join('\n')}`,
  );
}

const packaged = JSON.parse(entries.get('extension/package.json')().toString('utf8'));
assert.equal(packaged.main, './out/extension.js');
assert.deepEqual(packaged.activationEvents, ['onLanguage:blueprint', 'workspaceContains:**/*.blueprint.yaml']);

// The bundle carries the language client; only `vscode` stays external.
const bundle = entries.get('extension/out/extension.js')().toString('utf8');
assert.ok(bundle.includes('require("vscode")'), 'the bundle loads vscode at run time');
assert.ok(!/require\("vscode-languageclient/.test(bundle), 'the bundle includes vscode-languageclient');

const size = fs.statSync(file).size;
console.log(`${path.basename(file)}: ${names.length} files, ${(size / 1024).toFixed(1)} KiB`);
for (const name of names) {
  console.log(`  ${name}`);
}
