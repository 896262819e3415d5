/**
 * Starts, stops and restarts the language server, and keeps the status bar
 * in step with it. A missing binary is reported, never thrown: the
 * extension stays active so that "Restart Server" can try again.
 */
import * as vscode from 'vscode';
import {
  DocumentSymbolRequest,
  ExecuteCommandRequest,
  type LanguageClient,
  State,
} from 'vscode-languageclient/node';

import type { Server } from './commands';
import { README_INSTALL_URL, STATUS_NOTIFICATION } from './constants';
import { createClient, currentSettings } from './languageClient';
import { thisMachine } from './machine';
import type { ExecuteCommand } from './serverCommands';
import { findServer } from './serverPath';
import { parseStatus, type ServerStatus } from './status';
import type { StatusBar } from './statusBar';

const OPEN_README = 'Open README';

async function reportMissing(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, OPEN_README);
  if (choice === OPEN_README) {
    await vscode.env.openExternal(vscode.Uri.parse(README_INSTALL_URL));
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ServerClient implements Server, vscode.Disposable {
  private client: LanguageClient | undefined;
  private status: ServerStatus | undefined;
  private why = 'The Blueprint language server is not running.';
  // Starts and stops run one at a time: a restart requested while the
  // server is starting waits for the start to finish.
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly statusBar: StatusBar,
    private readonly output: vscode.OutputChannel,
  ) {}

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  async executeCommand(request: ExecuteCommand): Promise<unknown> {
    return this.running().sendRequest(ExecuteCommandRequest.type, request);
  }

  async documentSymbols(uri: string): Promise<unknown> {
    return this.running().sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
  }

  dispose(): void {
    void this.stop();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step);
    return this.queue;
  }

  private running(): LanguageClient {
    if (this.client === undefined || !this.client.isRunning()) {
      throw new Error(this.why);
    }
    return this.client;
  }

  private async doStart(): Promise<void> {
    this.status = undefined;
    this.statusBar.show({ kind: 'starting' });
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const lookup = findServer(currentSettings().server.path, thisMachine(folder));
    if (!lookup.found) {
      this.stopped(lookup.message);
      void reportMissing(lookup.message);
      return;
    }
    const client = createClient(lookup.path, this.output);
    client.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
      const status = parseStatus(params);
      if (status !== undefined && this.client === client) {
        this.status = status;
        this.statusBar.show({ kind: 'running', status });
      }
    });
    client.onDidChangeState((change) => {
      if (this.client !== client) {
        return;
      }
      if (change.newState === State.Starting) {
        this.statusBar.show({ kind: 'starting' });
      } else if (change.newState === State.Running) {
        this.statusBar.show({ kind: 'running', status: this.status });
      } else {
        this.stopped('The Blueprint language server stopped. Run "Blueprint: Restart Server" to start it again.');
      }
    });
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      const message = `Blueprint: the language server ${lookup.path} did not start: ${errorText(error)}`;
      this.stopped(message);
      void vscode.window.showErrorMessage(message);
      await client.dispose().catch(() => undefined);
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      await client.dispose().catch(() => undefined);
    }
  }

  private stopped(message: string): void {
    this.why = message;
    this.statusBar.show({ kind: 'stopped', message });
  }
}
