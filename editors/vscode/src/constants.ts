/** Names shared by the extension's modules and its package.json. */

export const LANGUAGE_ID = 'blueprint';

/** Where the README explains how to install the `blueprint` binary. */
export const README_INSTALL_URL = 'https://github.com/blueprint-dev/blueprint#set-up';

/** The settings section; every setting is `blueprint.<key>`. */
export const CONFIGURATION_SECTION = 'blueprint';

/** The server's status notification (pre-flight and live metrics). */
export const STATUS_NOTIFICATION = 'blueprint/status';

/** Commands the extension contributes to the palette. */
export const Commands = {
  generateSystem: 'blueprint.generateSystem',
  regenerateComponent: 'blueprint.regenerateComponent',
  preflight: 'blueprint.preflight',
  connect: 'blueprint.connect',
  disconnect: 'blueprint.disconnect',
  restartServer: 'blueprint.restartServer',
  /** What a click on the status bar item runs; hidden from the palette. */
  showCommands: 'blueprint.showCommands',
} as const;

/** Commands the server accepts through `workspace/executeCommand`. */
export const ServerCommands = {
  generate: 'blueprint.generate',
  regenerateComponent: 'blueprint.regenerateComponent',
  preflight: 'blueprint.preflight',
  liveConnect: 'blueprint.live.connect',
  liveDisconnect: 'blueprint.live.disconnect',
} as const;
