/** Entry point: wires the status bar, the commands and the language server. */
import * as vscode from 'vscode';

import { registerCommands } from './commands';
import { ServerClient } from './server';
import { StatusBar } from './statusBar';

let server: ServerClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Blueprint');
  const statusBar = new StatusBar();
  const client = new ServerClient(statusBar, output);
  server = client;
  context.subscriptions.push(
    output,
    statusBar,
    ...registerCommands(client),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // Other settings reach the running server; a new binary needs a new process.
      if (event.affectsConfiguration('blueprint.server.path')) {
        void client.restart();
      }
    }),
  );
  void client.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
