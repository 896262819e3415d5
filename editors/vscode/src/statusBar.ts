/**
 * The status bar item: pre-flight and live-metrics state while a blueprint
 * is the active editor, hidden otherwise.
 */
import * as vscode from 'vscode';

import { Commands, LANGUAGE_ID } from './constants';
import { type ClientView, render, type Severity } from './status';

const BACKGROUNDS: Record<Severity, string | undefined> = {
  none: undefined,
  warning: 'statusBarItem.warningBackground',
  error: 'statusBarItem.errorBackground',
};

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private view: ClientView = { kind: 'starting' };

  constructor() {
    this.item = vscode.window.createStatusBarItem('blueprint.status', vscode.StatusBarAlignment.Left, 0);
    this.item.name = 'Blueprint';
    this.item.command = Commands.showCommands;
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => {
        this.refresh();
      }),
    );
    this.refresh();
  }

  show(view: ClientView): void {
    this.view = view;
    this.refresh();
  }

  private refresh(): void {
    const rendered = render(this.view);
    this.item.text = rendered.text;
    this.item.tooltip = rendered.tooltip;
    const background = BACKGROUNDS[rendered.severity];
    this.item.backgroundColor = background === undefined ? undefined : new vscode.ThemeColor(background);
    if (vscode.window.activeTextEditor?.document.languageId === LANGUAGE_ID) {
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
    this.item.dispose();
  }
}
