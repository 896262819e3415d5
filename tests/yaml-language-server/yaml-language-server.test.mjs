// End to end: the JSON Schema that `blueprint schema` prints, given to the
// real yaml-language-server the way an editor gives it (a `$schema` modeline),
// checks blueprints as Blueprint does: no complaint on canonical or legacy
// files, a diagnostic on the line of an unknown key, a wrong type or an
// unknown component type; hovers show our descriptions; completion offers
// our keys.
//
// Run: cargo build -p blueprint-server && npm ci && npm test

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import rpc from 'vscode-jsonrpc/node.js';

const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = rpc;

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');
const blueprint = resolve(here, process.env.BLUEPRINT_BIN || '../../target/debug/blueprint');
const serverMain = join(here, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server');

/** How long to wait for any one answer from the server. */
const TIMEOUT_MS = 15_000;
const ERROR = 1;
const WARNING = 2;

/** Settings as VS Code's YAML extension sends them, with nothing fetched. */
const yamlSettings = {
  validate: true,
  hover: true,
  completion: true,
  format: { enable: false },
  schemas: {},
  schemaStore: { enable: false, url: '' },
  kubernetesCRDStore: { enable: false },
  customTags: [],
  disableAdditionalProperties: false,
  maxItemsComputed: 5000,
  yamlVersion: '1.2',
};
const sections = {
  yaml: yamlSettings,
  http: { proxy: '', proxyStrictSSL: false },
  '[yaml]': {
    'editor.tabSize': 2,
    'editor.insertSpaces': true,
    'editor.formatOnType': false,
  },
  editor: { tabSize: 2, insertSpaces: true, detectIndentation: true },
  files: { associations: {}, exclude: {} },
};

function withTimeout(promise, what, ms = TIMEOUT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let workDir;
let schemaUrl;
let server;
let connection;
let stderr = '';
/** uri -> resolve of the wait for its next publishDiagnostics. */
const diagnosticWaiters = new Map();
let documentVersion = 0;

/** A fixture's text, its modeline pointing at the schema just generated. */
function fixture(name) {
  const text = readFileSync(join(fixtures, name), 'utf8');
  assert.match(text, /^# yaml-language-server: \$schema=BLUEPRINT_SCHEMA\n/, `${name}: modeline`);
  return text.replace('BLUEPRINT_SCHEMA', schemaUrl);
}

/** Opens a document and resolves to the diagnostics published for it. */
async function open(name, text = fixture(name)) {
  const uri = pathToFileURL(join(workDir, name)).href;
  const published = new Promise((resolve) => diagnosticWaiters.set(uri, resolve));
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'yaml', version: ++documentVersion, text },
  });
  const diagnostics = await withTimeout(published, `diagnostics of ${name}`);
  return { uri, text, diagnostics };
}

async function close(uri) {
  await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
}

/** The 0-based line of the first line of `text` matching `pattern`. */
function lineOf(text, pattern) {
  const line = text.split('\n').findIndex((l) => pattern.test(l));
  assert.notEqual(line, -1, `no line matches ${pattern}`);
  return line;
}

function show(name, diagnostics) {
  const lines = diagnostics.map(
    (d) =>
      `  ${d.range.start.line + 1}:${d.range.start.character + 1} ` +
      `${['', 'error', 'warning', 'info', 'hint'][d.severity] ?? d.severity}: ` +
      `${d.message.replace(/\n/g, ' ')}${d.source ? ` [${d.source.replace(schemaUrl, 'blueprint.schema.json')}]` : ''}`,
  );
  console.log(`${name}: ${diagnostics.length} diagnostic(s)\n${lines.join('\n')}`);
}

function problems(diagnostics) {
  return diagnostics.filter((d) => d.severity === ERROR || d.severity === WARNING);
}

/** Asserts some error or warning starts on `line` and its message matches. */
function assertDiagnosticOn(name, diagnostics, line, message) {
  const found = problems(diagnostics).filter((d) => d.range.start.line === line);
  assert.ok(
    found.some((d) => message.test(d.message)),
    `${name}: expected a diagnostic matching ${message} on line ${line + 1}, got ${JSON.stringify(diagnostics, null, 1)}`,
  );
}

// Missing prerequisites fail the file at once, with the one line that says why.
for (const [path, why] of [
  [blueprint, 'run `cargo build -p blueprint-server` first (or set BLUEPRINT_BIN to the binary)'],
  [serverMain, 'run `npm ci` in tests/yaml-language-server first'],
]) {
  if (!existsSync(path)) {
    const message = `no ${path}: ${why}`;
    console.error(message);
    throw new Error(message);
  }
}

before(async () => {

  workDir = mkdtempSync(join(tmpdir(), 'blueprint-yls-'));
  const generated = spawnSync(blueprint, ['schema'], { encoding: 'utf8' });
  assert.equal(generated.status, 0, `blueprint schema failed: ${generated.stderr}`);
  const schemaPath = join(workDir, 'blueprint.schema.json');
  writeFileSync(schemaPath, generated.stdout);
  JSON.parse(generated.stdout);
  schemaUrl = pathToFileURL(schemaPath).href;

  server = spawn(process.execPath, [serverMain, '--stdio'], { cwd: workDir, stdio: ['pipe', 'pipe', 'pipe'] });
  server.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((_, reject) =>
    server.once('exit', (code, signal) =>
      reject(new Error(`yaml-language-server exited early (${code ?? signal}):\n${stderr}`)),
    ),
  );
  exited.catch(() => {});
  connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));

  connection.onNotification('textDocument/publishDiagnostics', ({ uri, diagnostics }) => {
    const waiter = diagnosticWaiters.get(uri);
    if (waiter) {
      diagnosticWaiters.delete(uri);
      waiter(diagnostics);
    }
  });
  let configurationPulled;
  const pulled = new Promise((resolve) => {
    configurationPulled = resolve;
  });
  connection.onRequest('workspace/configuration', ({ items }) => {
    const answer = items.map(({ section }) => sections[section] ?? null);
    if (items.some(({ section }) => section === 'yaml')) configurationPulled();
    return answer;
  });
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('client/unregisterCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.onRequest('workspace/semanticTokens/refresh', () => null);
  connection.onNotification('window/logMessage', () => {});
  connection.onNotification('telemetry/event', () => {});
  connection.onNotification(() => {});
  connection.onRequest((method) => {
    throw new Error(`unexpected request from the server: ${method}`);
  });
  connection.listen();

  const workspace = pathToFileURL(workDir).href;
  const initialized = await withTimeout(
    Promise.race([
      connection.sendRequest('initialize', {
        processId: process.pid,
        clientInfo: { name: 'blueprint-yaml-language-server-test' },
        locale: 'en',
        rootUri: workspace,
        workspaceFolders: [{ uri: workspace, name: 'blueprints' }],
        capabilities: {
          workspace: {
            configuration: true,
            workspaceFolders: true,
            didChangeConfiguration: { dynamicRegistration: true },
          },
          textDocument: {
            synchronization: { dynamicRegistration: false, didSave: true },
            publishDiagnostics: { relatedInformation: true, versionSupport: false },
            hover: { contentFormat: ['markdown', 'plaintext'] },
            completion: {
              completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] },
            },
            documentSymbol: { hierarchicalDocumentSymbolSupport: true },
            formatting: { dynamicRegistration: false },
          },
        },
        initializationOptions: {},
      }),
      exited,
    ]),
    'initialize',
  );
  assert.ok(initialized.capabilities.hoverProvider, 'the server hovers');
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('workspace/didChangeConfiguration', { settings: { yaml: yamlSettings } });
  await withTimeout(pulled, 'workspace/configuration for section yaml');
});

after(async () => {
  if (connection) {
    try {
      await withTimeout(connection.sendRequest('shutdown'), 'shutdown', 5_000);
      await connection.sendNotification('exit');
    } catch (error) {
      console.error(`shutdown: ${error.message}`);
    }
  }
  if (server && server.exitCode === null && server.signalCode === null) {
    const gone = new Promise((resolve) => server.once('exit', resolve));
    const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }
  connection?.dispose();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** What `blueprint check` itself reports for a fixture, as [1-based line, severity, message]. */
function blueprintCheck(name) {
  const run = spawnSync(blueprint, ['check', '--format', 'json', join(fixtures, name)], { encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, `blueprint check ${name} could not run: ${run.stderr}`);
  return JSON.parse(run.stdout).files.flatMap((f) =>
    f.diagnostics.map((d) => [d.range.start.line, d.severity, `${d.code} ${d.message}`]),
  );
}

/** Completion labels at the end of the last line of `lines` (after the modeline). */
async function completionLabels(name, lines) {
  const text = [`# yaml-language-server: $schema=${schemaUrl}`, ...lines, ''].join('\n');
  const { uri } = await open(name, text);
  const line = lines.length;
  const completion = await withTimeout(
    connection.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: { line, character: lines[lines.length - 1].length },
      context: { triggerKind: 1 },
    }),
    'completion',
  );
  await close(uri);
  return (Array.isArray(completion) ? completion : completion.items).map((item) => item.label);
}

/** Fixtures Blueprint objects to, and what yaml-language-server must say. */
const rejected = [
  {
    what: '(b) an unknown key at the top level',
    name: 'unknown-top-level-key.blueprint.yaml',
    line: /^systme:/,
    message: /Property systme is not allowed/,
    // The missing `system` is reported as well, at the top of the document.
    count: 2,
  },
  {
    what: '(b) an unknown key in a component',
    name: 'unknown-component-key.blueprint.yaml',
    line: /^\s+descripton:/,
    message: /Property descripton is not allowed/,
  },
  {
    what: "(b) an unknown key in a store's configuration",
    name: 'unknown-configuration-key.blueprint.yaml',
    line: /^\s+tabel:/,
    message: /Property tabel is not allowed/,
  },
  {
    what: '(c) a mapping for the list `components`',
    name: 'wrong-type-components.blueprint.yaml',
    line: /^\s+components:/,
    message: /Incorrect type\. Expected "array"/,
  },
  {
    what: "(c) a string for an APIEndpoint's integer `port`",
    name: 'wrong-type-port.blueprint.yaml',
    line: /^\s+port:/,
    message: /Incorrect type\. Expected "integer"/,
  },
  {
    what: '(c) a string `port` under the legacy `config`',
    name: 'wrong-type-legacy-config.blueprint.yaml',
    line: /^\s+port:/,
    message: /Incorrect type\. Expected "integer"/,
  },
  {
    what: '(d) an unknown component type',
    name: 'unknown-component-type.blueprint.yaml',
    line: /^\s+type: Stor$/,
    message: /Value is not accepted\. Valid values: .*"Store"/,
  },
];

describe('yaml-language-server with `blueprint schema`', () => {
  for (const [what, name] of [
    ['(a) a canonical blueprint', 'valid.blueprint.yaml'],
    ['(e) legacy forms Blueprint still loads (`config`, `storage_type`, ...)', 'legacy.blueprint.yaml'],
  ]) {
    test(`${what} gets no errors or warnings`, async () => {
      const { uri, diagnostics } = await open(name);
      show(name, diagnostics);
      assert.deepEqual(problems(diagnostics), []);
      // Blueprint agrees: at most hints (the legacy forms).
      const own = blueprintCheck(name);
      assert.deepEqual(
        own.filter(([, severity]) => severity !== 'hint'),
        [],
        `blueprint check ${name}`,
      );
      await close(uri);
    });
  }

  for (const { what, name, line, message, count = 1 } of rejected) {
    test(`${what} is reported on its line`, async () => {
      const { uri, text, diagnostics } = await open(name);
      show(name, diagnostics);
      const at = lineOf(text, line);
      assertDiagnosticOn(name, diagnostics, at, message);
      assert.equal(problems(diagnostics).length, count, `${name}: nothing else is reported`);
      // Blueprint reports an error or warning on the same line.
      const own = blueprintCheck(name);
      assert.ok(
        own.some(([l, severity]) => l === at + 1 && (severity === 'error' || severity === 'warning')),
        `blueprint check ${name} reports line ${at + 1} too: ${JSON.stringify(own)}`,
      );
      await close(uri);
    });
  }

  // The real autocoder blueprints Blueprint must load (`$BLUEPRINT_CORPUS`,
  // or `shared/corpus` beside the checkout): legacy-heavy, and not red.
  const corpus = resolve(here, process.env.BLUEPRINT_CORPUS || '../../../shared/corpus');
  const corpusFiles = existsSync(corpus)
    ? readdirSync(corpus).filter((f) => f.endsWith('.yaml') && f !== 'system_blueprint_schema.yaml')
    : [];
  test('(e) the real blueprints of the corpus get no errors or warnings', { skip: corpusFiles.length === 0 && `no corpus at ${corpus}` }, async () => {
    for (const file of corpusFiles) {
      const text = `# yaml-language-server: $schema=${schemaUrl}\n${readFileSync(join(corpus, file), 'utf8')}`;
      const { uri, diagnostics } = await open(`corpus-${file}`, text);
      show(`corpus/${file}`, diagnostics);
      assert.deepEqual(problems(diagnostics), [], file);
      await close(uri);
    }
  });

  test('(f) hovering a key shows its description from the schema', async () => {
    const name = 'valid.blueprint.yaml';
    const { uri, text } = await open(name);
    const line = lineOf(text, /^\s+engine:/);
    const character = text.split('\n')[line].indexOf('engine') + 2;
    const hover = await withTimeout(
      connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } }),
      'hover',
    );
    const contents = hover?.contents?.value ?? JSON.stringify(hover);
    console.log(`hover on \`engine\`:\n${contents}`);
    assert.match(contents, /The database engine: postgres, mysql or sqlite\./);
    await close(uri);
  });

  test('(g) completion in a component offers `configuration` and canonical keys only', async () => {
    const labels = await completionLabels('completion-component.blueprint.yaml', [
      'schema_version: "1.0.0"',
      'system:',
      '  name: task_tracker',
      '  components:',
      '    - name: task_api',
      '      type: APIEndpoint',
      '      ',
    ]);
    console.log(`completion in a component: ${labels.join(', ')}`);
    assert.ok(labels.includes('configuration'), `configuration is offered: ${labels}`);
    assert.ok(!labels.includes('name') && !labels.includes('type'), 'keys already written are not offered');
    // Canonical keys only: not the legacy `config`/`ports`, not ignored ones.
    for (const hidden of ['config', 'ports', 'processing_mode', 'implementation', 'resources']) {
      assert.ok(!labels.includes(hidden), `${hidden} is not offered: ${labels}`);
    }
  });

  test("(g) completion in a store's configuration offers the Store keys (by `type`)", async () => {
    const labels = await completionLabels('completion-store.blueprint.yaml', [
      'schema_version: "1.0.0"',
      'system:',
      '  name: task_tracker',
      '  components:',
      '    - name: task_store',
      '      type: Store',
      '      configuration:',
      '        ',
    ]);
    console.log(`completion in a Store configuration: ${labels.join(', ')}`);
    for (const key of ['database', 'table', 'key', 'batch_size']) {
      assert.ok(labels.includes(key), `${key} is offered: ${labels}`);
    }
    // Not another type's keys, nor legacy or ignored ones.
    for (const hidden of ['port', 'routes', 'table_name', 'storage_type', 'database_url', 'testing_mode']) {
      assert.ok(!labels.includes(hidden), `${hidden} is not offered: ${labels}`);
    }
  });
});
