/**
 * The palette commands. Each builds a `workspace/executeCommand` request
 * (see serverCommands.ts) and shows what went wrong, if anything; the
 * server does the work.
 */
import * as vscode from 'vscode';

import { validateAddress } from './address';
import { componentsOf } from './components';
import { Commands, LANGUAGE_ID } from './constants';
import * as requests from './serverCommands';
import type { ExecuteCommand } from './serverCommands';

/** What the commands need from the language client. */
export interface Server {
  /** Sends `workspace/executeCommand`; rejects with the server's error. */
  executeCommand(request: ExecuteCommand): Promise<unknown>;
  /** The server's `textDocument/documentSymbol` answer for `uri`. */
  documentSymbols(uri: string): Promise<unknown>;
  restart(): Promise<void>;
}

/** The palette entries the status bar item offers, in its order. */
const MENU: readonly { id: string; label: string }[] = [
  { id: Commands.preflight, label: '$(database) Run Database Pre-flight' },
  { id: Commands.generateSystem, label: '$(gear) Generate System' },
  { id: Commands.regenerateComponent, label: '$(symbol-class) Regenerate Component' },
  { id: Commands.connect, label: '$(pulse) Connect to Running System' },
  { id: Commands.disconnect, label: '$(circle-slash) Disconnect from Running System' },
  { id: Commands.restartServer, label: '$(debug-restart) Restart Server' },
];

/** The error as shown: the server's message, said to come from Blueprint once. */
function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith('Blueprint: ') ? message : `Blueprint: ${message}`;
}

/** The active blueprint's URI, or `undefined` after saying why there is none. */
function activeBlueprint(): string | undefined {
  const document = vscode.window.activeTextEditor?.document;
  if (document?.languageId === LANGUAGE_ID) {
    return document.uri.toString();
  }
  void vscode.window.showWarningMessage(
    'Blueprint: this command works on a blueprint. Open a *.blueprint.yaml file and run it again.',
  );
  return undefined;
}

/** A blueprint named by the caller (a URI from a menu or a lens), if any. */
function uriArgument(args: unknown[]): string | undefined {
  const first = args[0];
  if (typeof first === 'string') {
    return first;
  }
  return first instanceof vscode.Uri ? first.toString() : undefined;
}

async function pickComponent(server: Server, uri: string): Promise<string | undefined> {
  // Without an outline (the server is busy, or the blueprint does not
  // parse) the name can still be typed.
  const components = componentsOf(await server.documentSymbols(uri).catch(() => undefined));
  if (components.length === 0) {
    const typed = await vscode.window.showInputBox({
      title: 'Regenerate Component',
      prompt: 'Name of the component to regenerate',
      validateInput: (value) => (value.trim() === '' ? 'Enter a component name.' : undefined),
    });
    return typed?.trim();
  }
  const picked = await vscode.window.showQuickPick(
    components.map((c) => ({ label: c.name, description: c.type })),
    { title: 'Regenerate Component', placeHolder: 'Component to regenerate' },
  );
  return picked?.label;
}

export function registerCommands(server: Server): vscode.Disposable[] {
  const send = async (request: ExecuteCommand): Promise<void> => {
    try {
      const message = requests.describeResult(request, await server.executeCommand(request));
      if (message !== undefined) {
        void vscode.window.showInformationMessage(message);
      }
    } catch (error) {
      void vscode.window.showErrorMessage(errorText(error));
    }
  };

  const handlers: Record<string, (...args: unknown[]) => Promise<void>> = {
    [Commands.generateSystem]: async (...args) => {
      const uri = uriArgument(args) ?? activeBlueprint();
      if (uri !== undefined) {
        await send(requests.generateSystem(uri));
      }
    },
    [Commands.regenerateComponent]: async (...args) => {
      // Invoked by a server code action or lens: its arguments are the server's.
      if (args.length > 0) {
        return send({ command: Commands.regenerateComponent, arguments: args });
      }
      const uri = activeBlueprint();
      const component = uri === undefined ? undefined : await pickComponent(server, uri);
      if (uri !== undefined && component !== undefined && component !== '') {
        await send(requests.regenerateComponent(uri, component));
      }
    },
    [Commands.preflight]: async (...args) => {
      if (args.length > 0 && typeof args[0] === 'string') {
        return send({ command: Commands.preflight, arguments: args });
      }
      const uri = uriArgument(args) ?? activeBlueprint();
      if (uri !== undefined) {
        await send(requests.preflight(uri));
      }
    },
    [Commands.connect]: async () => {
      const input = await vscode.window.showInputBox({
        title: 'Connect to Running System',
        prompt: "The system's metrics address; leave empty for the blueprint's own observability.metrics.listen",
        placeHolder: 'host:port, for example 127.0.0.1:9464',
        validateInput: validateAddress,
      });
      if (input !== undefined) {
        await send(requests.connect(input));
      }
    },
    [Commands.disconnect]: () => send(requests.disconnect()),
    [Commands.restartServer]: () => server.restart(),
    [Commands.showCommands]: async () => {
      const picked = await vscode.window.showQuickPick([...MENU], { title: 'Blueprint' });
      if (picked !== undefined) {
        await vscode.commands.executeCommand(picked.id);
      }
    },
  };
  return Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}
