// Drives `blueprint lsp` over stdio the way VS Code's language client
// (vscode-languageclient 9, on vscode-jsonrpc 8) does: the same initialize
// capabilities (UTF-16 only), the same answers to server->client requests,
// incremental didChange, and edits applied to the client's copy of the text.
//
// BLUEPRINT_BIN: the server binary (default: ../../target/debug/blueprint).
// Features the server does not implement yet (null results) are skipped.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.BLUEPRINT_BIN ?? path.resolve(here, '../../target/debug/blueprint');
const TIMEOUT = 10_000;

// The Neovim test's blueprint: line 15 is `      to: [task_sink.inptu]`.
const FIXTURE = fs.readFileSync(path.resolve(here, '../nvim/fixture.blueprint.yaml'), 'utf8');
// Exactly what the VS Code extension sends as initializationOptions and
// answers `workspace/configuration` (section `blueprint`) with, under its
// default settings (its unit tests assert the file equals what it builds).
const EXTENSION_SETTINGS = JSON.parse(
  fs.readFileSync(
    path.resolve(here, '../../editors/vscode/test/fixtures/initialization-options.json'),
    'utf8',
  ),
);
const PORT_LINE = 15;
const PORT_COL = 21;

/** A realistic subset of what vscode-languageclient 9 sends. */
function vscodeCapabilities() {
  return {
    general: {
      positionEncodings: ['utf-16'],
      regularExpressions: { engine: 'ECMAScript', version: 'ES2020' },
      markdown: { parser: 'marked', version: '1.1.0' },
      staleRequestSupport: {
        cancel: true,
        retryOnContentModified: [
          'textDocument/semanticTokens/full',
          'textDocument/semanticTokens/range',
          'textDocument/semanticTokens/full/delta',
        ],
      },
    },
    window: {
      workDoneProgress: true,
      showMessage: { messageActionItem: { additionalPropertiesSupport: true } },
      showDocument: { support: true },
    },
    workspace: {
      applyEdit: true,
      workspaceEdit: {
        documentChanges: true,
        resourceOperations: ['create', 'rename', 'delete'],
        failureHandling: 'textOnlyTransactional',
        normalizesLineEndings: true,
        changeAnnotationSupport: { groupsOnLabel: true },
      },
      configuration: true,
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
      symbol: { dynamicRegistration: true },
      executeCommand: { dynamicRegistration: true },
      workspaceFolders: true,
      semanticTokens: { refreshSupport: true },
      diagnostics: { refreshSupport: true },
    },
    textDocument: {
      synchronization: { dynamicRegistration: true, willSave: true, willSaveWaitUntil: true, didSave: true },
      publishDiagnostics: {
        relatedInformation: true,
        versionSupport: false,
        tagSupport: { valueSet: [1, 2] },
        codeDescriptionSupport: true,
        dataSupport: true,
      },
      diagnostic: { dynamicRegistration: true, relatedDocumentSupport: false },
      completion: {
        dynamicRegistration: true,
        contextSupport: true,
        completionItem: {
          snippetSupport: true,
          commitCharactersSupport: true,
          documentationFormat: ['markdown', 'plaintext'],
          deprecatedSupport: true,
          preselectSupport: true,
          tagSupport: { valueSet: [1] },
          insertReplaceSupport: true,
          resolveSupport: { properties: ['documentation', 'detail', 'additionalTextEdits'] },
          insertTextModeSupport: { valueSet: [1, 2] },
          labelDetailsSupport: true,
        },
        insertTextMode: 2,
        completionItemKind: { valueSet: Array.from({ length: 25 }, (_, i) => i + 1) },
        completionList: { itemDefaults: ['commitCharacters', 'editRange', 'insertTextFormat', 'insertTextMode', 'data'] },
      },
      hover: { dynamicRegistration: true, contentFormat: ['markdown', 'plaintext'] },
      signatureHelp: { dynamicRegistration: true },
      definition: { dynamicRegistration: true, linkSupport: true },
      references: { dynamicRegistration: true },
      documentHighlight: { dynamicRegistration: true },
      documentSymbol: {
        dynamicRegistration: true,
        symbolKind: { valueSet: Array.from({ length: 26 }, (_, i) => i + 1) },
        hierarchicalDocumentSymbolSupport: true,
        tagSupport: { valueSet: [1] },
        labelSupport: true,
      },
      codeAction: {
        dynamicRegistration: true,
        isPreferredSupport: true,
        disabledSupport: true,
        dataSupport: true,
        resolveSupport: { properties: ['edit'] },
        codeActionLiteralSupport: {
          codeActionKind: {
            valueSet: ['', 'quickfix', 'refactor', 'refactor.extract', 'refactor.inline', 'refactor.rewrite', 'source', 'source.organizeImports'],
          },
        },
        honorsChangeAnnotations: true,
      },
      rename: { dynamicRegistration: true, prepareSupport: true, prepareSupportDefaultBehavior: 1, honorsChangeAnnotations: true },
      foldingRange: { dynamicRegistration: true, rangeLimit: 5000, lineFoldingOnly: true },
      semanticTokens: {
        dynamicRegistration: true,
        tokenTypes: ['namespace', 'type', 'class', 'enum', 'interface', 'struct', 'typeParameter', 'parameter', 'variable', 'property', 'enumMember', 'event', 'function', 'method', 'macro', 'keyword', 'modifier', 'comment', 'string', 'number', 'regexp', 'operator', 'decorator'],
        tokenModifiers: ['declaration', 'definition', 'readonly', 'static', 'deprecated', 'abstract', 'async', 'modification', 'documentation', 'defaultLibrary'],
        formats: ['relative'],
        requests: { range: true, full: { delta: true } },
        multilineTokenSupport: false,
        overlappingTokenSupport: false,
        serverCancelSupport: true,
        augmentsSyntaxTokens: true,
      },
    },
  };
}

/** Applies LSP text edits (UTF-16 positions: JS string indices) to `text`. */
function applyEdits(text, edits) {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p) => Math.min((lineStarts[p.line] ?? text.length) + p.character, text.length);
  const sorted = edits
    .map((e) => ({ start: offset(e.range.start), end: offset(e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start);
  for (const e of sorted) text = text.slice(0, e.start) + e.newText + text.slice(e.end);
  return text;
}

/** The text edits for `uri` in a WorkspaceEdit. */
function editsFor(edit, uri) {
  if (edit.documentChanges) {
    return edit.documentChanges.filter((c) => c.textDocument?.uri === uri).flatMap((c) => c.edits);
  }
  return edit.changes?.[uri] ?? [];
}

const isNull = (v) => v === null || v === undefined;

class VsCodeLikeClient {
  constructor(root) {
    this.root = root;
    this.proc = spawn(bin, ['lsp'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    this.conn = createMessageConnection(
      new StreamMessageReader(this.proc.stdout),
      new StreamMessageWriter(this.proc.stdin),
    );
    this.diagnostics = new Map(); // uri -> [{version, diagnostics}]
    this.waiters = [];
    this.registrations = [];
    this.progressTokens = [];
    this.docs = new Map(); // uri -> {text, version}

    // Server -> client requests, answered as VS Code answers them.
    this.conn.onRequest('client/registerCapability', (params) => {
      this.registrations.push(...params.registrations);
      return null;
    });
    this.conn.onRequest('client/unregisterCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', (params) => {
      this.progressTokens.push(params.token);
      return null;
    });
    this.configurationRequests = [];
    this.conn.onRequest('workspace/configuration', (params) => {
      this.configurationRequests.push(params);
      return params.items.map((item) => (item.section === 'blueprint' ? EXTENSION_SETTINGS : null));
    });
    this.conn.onRequest('workspace/applyEdit', (params) => {
      for (const [uri, doc] of this.docs) {
        const edits = editsFor(params.edit, uri);
        if (edits.length) this.changeFull(uri, applyEdits(doc.text, edits));
      }
      return { applied: true };
    });
    this.conn.onRequest('window/showMessageRequest', () => null);
    this.conn.onRequest('workspace/diagnostic/refresh', () => null);
    this.conn.onRequest('workspace/semanticTokens/refresh', () => null);
    this.conn.onNotification('textDocument/publishDiagnostics', (params) => {
      const list = this.diagnostics.get(params.uri) ?? [];
      list.push(params);
      this.diagnostics.set(params.uri, list);
      this.waiters = this.waiters.filter((w) => !w());
    });
    this.conn.onNotification('window/logMessage', () => {});
    this.conn.onNotification('$/progress', () => {});
    this.conn.listen();
  }

  async initialize() {
    const rootUri = pathToFileURL(this.root).href;
    const result = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      clientInfo: { name: 'Visual Studio Code', version: '1.95.0' },
      locale: 'en',
      rootPath: this.root,
      rootUri,
      capabilities: vscodeCapabilities(),
      initializationOptions: EXTENSION_SETTINGS,
      trace: 'off',
      workspaceFolders: [{ uri: rootUri, name: path.basename(this.root) }],
    });
    await this.conn.sendNotification('initialized', {});
    return result;
  }

  uri(name) {
    return pathToFileURL(path.join(this.root, name)).href;
  }

  open(uri, text) {
    this.docs.set(uri, { text, version: 1 });
    this.conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'blueprint', version: 1, text },
    });
    return 1;
  }

  /** An incremental change, as VS Code sends for a keystroke. */
  change(uri, range, newText) {
    const doc = this.docs.get(uri);
    doc.text = applyEdits(doc.text, [{ range, newText }]);
    doc.version += 1;
    this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: doc.version },
      contentChanges: [{ range, rangeLength: 0, text: newText }],
    });
    return doc.version;
  }

  /** Applies edits to the client's copy and sends them incrementally. */
  applyTextEdits(uri, edits) {
    const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line
      || b.range.start.character - a.range.start.character);
    let version;
    for (const e of sorted) version = this.change(uri, e.range, e.newText);
    return version;
  }

  changeFull(uri, text) {
    const doc = this.docs.get(uri);
    const lines = doc.text.split('\n');
    const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
    return this.change(uri, { start: { line: 0, character: 0 }, end }, text);
  }

  /** Waits until the latest published diagnostics for `uri` satisfy `pred`. */
  waitDiagnostics(uri, pred, what = 'diagnostics') {
    return new Promise((resolve, reject) => {
      const check = () => {
        const list = this.diagnostics.get(uri);
        const latest = list?.[list.length - 1];
        if (latest && pred(latest.diagnostics, latest)) {
          clearTimeout(timer);
          resolve(latest.diagnostics);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        const list = this.diagnostics.get(uri);
        reject(new Error(`timed out waiting for ${what}; latest: ${JSON.stringify(list?.[list.length - 1])}`));
      }, TIMEOUT);
      if (!check()) this.waiters.push(check);
    });
  }

  request(method, params) {
    return this.conn.sendRequest(method, params);
  }

  text(uri) {
    return this.docs.get(uri).text;
  }

  async stop() {
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } finally {
      const exited = new Promise((r) => this.proc.once('exit', r));
      setTimeout(() => this.proc.kill(), 2000).unref();
      await exited;
      this.conn.dispose();
    }
  }
}

const at = (uri, line, character) => ({ textDocument: { uri }, position: { line, character } });
const range = (l1, c1, l2, c2) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });
const lineOf = (text, n) => text.split('\n')[n];

describe('blueprint lsp as driven by VS Code', () => {
  let dir;
  let client;
  let uri;
  let initResult;

  before(async () => {
    assert.ok(fs.existsSync(bin), `server binary not found: ${bin} (build it or set BLUEPRINT_BIN)`);
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bp-vscode-')));
    fs.writeFileSync(path.join(dir, 'system.blueprint.yaml'), FIXTURE);
    client = new VsCodeLikeClient(dir);
    initResult = await client.initialize();
    uri = client.uri('system.blueprint.yaml');
  });

  after(async () => {
    await client?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("pulls the extension's settings and offers the commands it sends", async () => {
    const deadline = Date.now() + 10000;
    while (client.configurationRequests.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(client.configurationRequests[0]?.items, [{ section: 'blueprint' }]);
    const commands = initResult.capabilities.executeCommandProvider.commands;
    for (const c of [
      'blueprint.preflight',
      'blueprint.generate',
      'blueprint.regenerateComponent',
      'blueprint.live.connect',
      'blueprint.live.disconnect',
    ]) {
      assert.ok(commands.includes(c), `${c} in ${commands}`);
    }
  });

  it('negotiates UTF-16 and incremental sync', () => {
    assert.equal(initResult.capabilities.positionEncoding, 'utf-16');
    assert.equal(initResult.capabilities.textDocumentSync.change, 2);
    assert.equal(initResult.serverInfo.name, 'blueprint');
  });

  it('registers file watching through client/registerCapability', async () => {
    const deadline = Date.now() + TIMEOUT;
    while (!client.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles')) {
      assert.ok(Date.now() < deadline, 'no registration for workspace/didChangeWatchedFiles');
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('publishes the BP301 diagnostic on open, with its exact range', async () => {
    client.open(uri, FIXTURE);
    const ds = await client.waitDiagnostics(uri, (d) => d.length > 0, 'BP301');
    assert.equal(ds.length, 1, JSON.stringify(ds));
    assert.equal(ds[0].code, 'BP301');
    assert.equal(ds[0].severity, 1);
    assert.equal(ds[0].source, 'blueprint');
    assert.deepEqual(ds[0].range, range(PORT_LINE, PORT_COL, PORT_LINE, PORT_COL + 5));
    assert.match(ds[0].codeDescription.href, /BP301/);
    const pulled = await client.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.deepEqual(pulled.items, ds);
  });

  it('an edit that fixes it clears the diagnostic', async () => {
    client.change(uri, range(PORT_LINE, PORT_COL + 2, PORT_LINE, PORT_COL + 5), 'put');
    assert.equal(lineOf(client.text(uri), PORT_LINE), '      to: [task_sink.input]');
    await client.waitDiagnostics(uri, (d) => d.length === 0, 'no diagnostics');
  });

  it('hover on a component type', async (t) => {
    const hover = await client.request('textDocument/hover', at(uri, 7, 15));
    if (isNull(hover)) return t.skip('feature not landed (null)');
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /APIEndpoint/);
  });

  it('completion of component types after `type: `', async (t) => {
    client.change(uri, range(11, 12, 11, 16), ''); // "      type: Sink" -> "      type: "
    let result;
    try {
      result = await client.request('textDocument/completion', {
        ...at(uri, 11, 12),
        context: { triggerKind: 1 },
      });
    } finally {
      client.change(uri, range(11, 12, 11, 12), 'Sink');
    }
    if (isNull(result)) return t.skip('feature not landed (null)');
    const labels = (result.items ?? result).map((i) => i.label);
    assert.ok(labels.includes('APIEndpoint'), labels.join(', '));
    assert.ok(labels.includes('Store'), labels.join(', '));
  });

  it('rename of a component updates the binding (with prepareRename)', async (t) => {
    const prepared = await client.request('textDocument/prepareRename', at(uri, 10, 14));
    if (isNull(prepared)) return t.skip('feature not landed (null)');
    assert.deepEqual(prepared.range ?? prepared, range(10, 12, 10, 21));
    const edit = await client.request('textDocument/rename', { ...at(uri, 10, 14), newName: 'task_out' });
    if (isNull(edit)) return t.skip('feature not landed (null)');
    client.applyTextEdits(uri, editsFor(edit, uri));
    const text = client.text(uri);
    assert.equal(lineOf(text, 10), '    - name: task_out');
    assert.equal(lineOf(text, PORT_LINE), '      to: [task_out.input]');
    const version = client.docs.get(uri).version;
    await client.waitDiagnostics(uri, (d, p) => d.length === 0 && (p.version ?? version) === version, 'clean after rename');
  });

  it('code action: did-you-mean quick fix applied', async (t) => {
    const line = lineOf(client.text(uri), PORT_LINE);
    const s = line.indexOf('input');
    client.change(uri, range(PORT_LINE, s, PORT_LINE, s + 5), 'inptu');
    const ds = await client.waitDiagnostics(uri, (d) => d.length === 1 && d[0].code === 'BP301', 'BP301 again');
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range: range(PORT_LINE, s + 1, PORT_LINE, s + 1),
      context: { diagnostics: ds, only: ['quickfix'], triggerKind: 1 },
    });
    if (isNull(actions) || actions.length === 0) return t.skip('feature not landed (no actions)');
    let action = actions.find((a) => a.title === 'Replace with `input`');
    assert.ok(action, actions.map((a) => a.title).join(', '));
    if (!action.edit && action.data !== undefined) action = await client.request('codeAction/resolve', action);
    assert.equal(action.kind, 'quickfix');
    const edits = editsFor(action.edit, uri);
    assert.deepEqual(edits, [{ range: range(PORT_LINE, s, PORT_LINE, s + 5), newText: 'input' }]);
    client.applyTextEdits(uri, edits);
    assert.match(lineOf(client.text(uri), PORT_LINE), /\.input\]$/);
    await client.waitDiagnostics(uri, (d) => d.length === 0, 'clean after quick fix');
  });

  it('UTF-16 columns after an emoji on a CRLF line', async () => {
    const line = '    - { name: task_sink, description: "😀 é 日本", type: Sink, inputs: [{ name: input, schema: Tsk }] }';
    const text = FIXTURE.replace('task_sink.inptu', 'task_sink.input')
      .replace('    - name: task_sink\n      type: Sink\n      inputs: [{ name: input, schema: Task }]', line)
      .replaceAll('\n', '\r\n');
    const emojiUri = client.uri('emoji.blueprint.yaml');
    client.open(emojiUri, text);
    const ds = await client.waitDiagnostics(emojiUri, (d) => d.length > 0, 'BP220');
    const col = line.indexOf('Tsk'); // JS indices are UTF-16 code units
    assert.equal(col, 93);
    assert.deepEqual(ds.map((d) => [d.code, d.range]), [['BP220', range(10, col, 10, col + 3)]]);
    client.change(emojiUri, range(10, col + 1, 10, col + 1), 'a'); // Tsk -> Task
    await client.waitDiagnostics(emojiUri, (d) => d.length === 0, 'clean after the fix');
  });
});
