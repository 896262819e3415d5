/**
 * A stand-in for the `vscode` module, with just what the tested modules
 * use. Tests set `fake` up (active editor, answers to prompts) and read
 * what was shown. Loaded in place of `vscode` by useFakeVscode.ts.
 */

type Listener = () => void;

const disposable = { dispose: (): void => undefined };
type Handler = (...args: unknown[]) => unknown;

export class Uri {
  private constructor(private readonly value: string) {}
  static parse(value: string): Uri {
    return new Uri(value);
  }
  static file(path: string): Uri {
    return new Uri(`file://${path}`);
  }
  toString(): string {
    return this.value;
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

// Base classes vscode-languageclient extends when it loads; they need no members.
/* eslint-disable @typescript-eslint/no-extraneous-class */
export class CancellationError extends Error {}
export class CallHierarchyItem {}
export class CodeLens {}
export class CodeAction {}
export class Diagnostic {}
export class CompletionItem {}
export class DocumentLink {}
export class InlayHint {}
export class SymbolInformation {}
export class TypeHierarchyItem {}
/* eslint-enable @typescript-eslint/no-extraneous-class */

// Constants vscode-languageclient's converters read when a client is made.
export const CodeActionKind = new Proxy({}, { get: (_target, name) => ({ value: String(name) }) });

export class EventEmitter<T> {
  private readonly listeners: ((value: T) => void)[] = [];
  readonly event = (listener: (value: T) => void) => {
    this.listeners.push(listener);
    return disposable;
  };
  fire(value: T): void {
    for (const listener of this.listeners) {
      listener(value);
    }
  }
  dispose(): void {
    this.listeners.length = 0;
  }
}

export class Disposable {
  constructor(private readonly release: () => void) {}
  static from(...disposables: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const d of disposables) {
        d.dispose();
      }
    });
  }
  dispose(): void {
    this.release();
  }
}

export class RelativePattern {
  constructor(
    readonly base: unknown,
    readonly pattern: string,
  ) {}
}

export class SemanticTokensLegend {
  constructor(
    readonly tokenTypes: string[],
    readonly tokenModifiers: string[] = [],
  ) {}
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export class FakeStatusBarItem {
  text = '';
  tooltip: string | undefined;
  name: string | undefined;
  command: string | undefined;
  backgroundColor: ThemeColor | undefined;
  visible = false;
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.visible = false;
  }
}

export class FakeOutputChannel {
  readonly lines: string[] = [];
  constructor(readonly name: string) {}
  append(text: string): void {
    this.lines.push(text);
  }
  appendLine(text: string): void {
    this.lines.push(text);
  }
  show(): void {
    // Nothing to reveal outside the editor.
  }
  dispose(): void {
    // Nothing to release.
  }
}

export interface InputBoxOptions {
  validateInput?: (value: string) => string | undefined;
}

/** Everything a test arranges or inspects. */
export const fake = {
  activeTextEditor: undefined as { document: { languageId: string; uri: Uri } } | undefined,
  editorListeners: [] as Listener[],
  statusBarItems: [] as FakeStatusBarItem[],
  commands: new Map<string, Handler>(),
  executed: [] as string[],
  messages: [] as { kind: 'info' | 'warning' | 'error'; text: string }[],
  /** What the next input box answers (`undefined`: dismissed). */
  inputAnswer: undefined as string | undefined,
  inputOptions: [] as InputBoxOptions[],
  /** Picks the quick-pick item to answer with (`undefined`: dismissed). */
  pick: (items: { label: string }[]): { label: string } | undefined => items[0],
  quickPicks: [] as { label: string; description?: string }[][],
  opened: [] as string[],
  /** The button the next error message is answered with. */
  messageAnswer: undefined as string | undefined,

  reset(): void {
    this.activeTextEditor = undefined;
    this.editorListeners = [];
    this.statusBarItems = [];
    this.commands.clear();
    this.executed = [];
    this.messages = [];
    this.inputAnswer = undefined;
    this.inputOptions = [];
    this.pick = (items) => items[0];
    this.quickPicks = [];
    this.opened = [];
    this.messageAnswer = undefined;
    workspace.settings.clear();
  },

  /** Makes `languageId` the active editor's language (or no editor). */
  openEditor(languageId: string | undefined, uri = 'file:///work/app.blueprint.yaml'): void {
    this.activeTextEditor = languageId === undefined ? undefined : { document: { languageId, uri: Uri.parse(uri) } };
    this.editorListeners.forEach((l) => {
      l();
    });
  },
};

/** Subscribing to any event does nothing (what the language client subscribes to at construction). */
function events<T extends object>(known: T): T {
  return new Proxy(known, {
    get: (target, name, receiver) =>
      typeof name === 'string' && name.startsWith('on') && !(name in target)
        ? () => disposable
        : (Reflect.get(target, name, receiver) as unknown),
  });
}

export const window = events({
  tabGroups: events({ all: [] as unknown[] }),
  get activeTextEditor() {
    return fake.activeTextEditor;
  },
  onDidChangeActiveTextEditor(listener: Listener) {
    fake.editorListeners.push(listener);
    return disposable;
  },
  createOutputChannel(name: string) {
    return new FakeOutputChannel(name);
  },
  createStatusBarItem() {
    const item = new FakeStatusBarItem();
    fake.statusBarItems.push(item);
    return item;
  },
  showInformationMessage(text: string) {
    fake.messages.push({ kind: 'info', text });
    return Promise.resolve(undefined);
  },
  showWarningMessage(text: string) {
    fake.messages.push({ kind: 'warning', text });
    return Promise.resolve(undefined);
  },
  showErrorMessage(text: string) {
    fake.messages.push({ kind: 'error', text });
    return Promise.resolve(fake.messageAnswer);
  },
  showInputBox(options: InputBoxOptions) {
    fake.inputOptions.push(options);
    return Promise.resolve(fake.inputAnswer);
  },
  showQuickPick(items: { label: string; description?: string }[]) {
    fake.quickPicks.push(items);
    return Promise.resolve(fake.pick(items));
  },
});

export const commands = {
  registerCommand(id: string, handler: Handler) {
    if (fake.commands.has(id)) {
      throw new Error(`command '${id}' already exists`);
    }
    fake.commands.set(id, handler);
    return { dispose: () => fake.commands.delete(id) };
  },
  executeCommand(id: string) {
    fake.executed.push(id);
    return Promise.resolve(undefined);
  },
};

/** Registering any provider does nothing. */
export const languages = new Proxy(
  {
    createDiagnosticCollection: () => ({
      set: (): void => undefined,
      delete: (): void => undefined,
      clear: (): void => undefined,
      forEach: (): void => undefined,
      dispose: (): void => undefined,
    }),
  },
  {
    get: (target, name, receiver) =>
      typeof name === 'string' && name.startsWith('register') ? () => disposable : (Reflect.get(target, name, receiver) as unknown),
  },
);

export const workspace = events({
  textDocuments: [] as unknown[],
  notebookDocuments: [] as unknown[],
  /** The `blueprint` section; tests set values by dotted key. */
  settings: new Map<string, unknown>(),
  workspaceFolders: undefined,
  getConfiguration() {
    return { get: (key: string) => workspace.settings.get(key) };
  },
});

/** The engine package.json asks for. */
export const version = '1.85.0';

export const env = {
  appName: 'Visual Studio Code',
  language: 'en',
  openExternal(uri: Uri) {
    fake.opened.push(uri.toString());
    return Promise.resolve(true);
  },
};
