/** The vscode-languageclient instance that runs `blueprint lsp`. */
import * as vscode from 'vscode';
import {
  type DynamicFeature,
  ExecuteCommandRequest,
  type ExecuteCommandRegistrationOptions,
  LanguageClient,
  type LanguageClientOptions,
  type RegistrationData,
  type ServerOptions,
  type StaticFeature,
} from 'vscode-languageclient/node';

import { CONFIGURATION_SECTION, LANGUAGE_ID } from './constants';
import { clientRegistered } from './serverCommands';
import { initializationOptions, normaliseConfiguration, readSettings, type BlueprintSettings } from './settings';

/** The `blueprint.*` settings as VS Code has them now. */
export function currentSettings(): BlueprintSettings {
  const section = vscode.workspace.getConfiguration(CONFIGURATION_SECTION);
  return readSettings((key) => section.get(key));
}

type CommandFeature = DynamicFeature<ExecuteCommandRegistrationOptions>;

function isCommandFeature(feature: StaticFeature | DynamicFeature<unknown>): feature is CommandFeature {
  return 'registrationType' in feature && feature.registrationType.method === ExecuteCommandRequest.method;
}

/**
 * A client that leaves the server commands the extension registers itself
 * to the extension (see OWNED_SERVER_COMMANDS): registering one id twice
 * would make the client fail to start.
 */
class BlueprintLanguageClient extends LanguageClient {
  // Called from LanguageClient's constructor for each built-in feature.
  override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    if (isCommandFeature(feature)) {
      const register = feature.register.bind(feature);
      feature.register = (data: RegistrationData<ExecuteCommandRegistrationOptions>) => {
        const commands = clientRegistered(data.registerOptions.commands);
        register({ ...data, registerOptions: { ...data.registerOptions, commands } });
      };
    }
    super.registerFeature(feature);
  }
}

export function createClient(serverPath: string, outputChannel: vscode.OutputChannel): LanguageClient {
  const serverOptions: ServerOptions = { command: serverPath, args: ['lsp'] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: LANGUAGE_ID, scheme: 'file' },
      { language: LANGUAGE_ID, scheme: 'untitled' },
    ],
    // Read at each start, so a restart picks up changed settings.
    initializationOptions: () => initializationOptions(currentSettings()),
    // Sends workspace/didChangeConfiguration when a blueprint.* setting
    // changes; the server then pulls the section again.
    synchronize: { configurationSection: CONFIGURATION_SECTION },
    outputChannel,
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          return Array.isArray(answers) ? normaliseConfiguration(params.items, answers) : answers;
        },
      },
    },
  };
  return new BlueprintLanguageClient('blueprint', 'Blueprint', serverOptions, clientOptions);
}
