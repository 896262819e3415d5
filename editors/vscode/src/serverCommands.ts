/**
 * The `workspace/executeCommand` requests behind the palette commands, and
 * what to say about their answers.
 */
import { connectArguments } from './address';
import { Commands, ServerCommands } from './constants';

export interface ExecuteCommand {
  command: string;
  arguments: unknown[];
}

export function generateSystem(uri: string): ExecuteCommand {
  return { command: ServerCommands.generate, arguments: [uri] };
}

export function regenerateComponent(uri: string, component: string): ExecuteCommand {
  return { command: ServerCommands.regenerateComponent, arguments: [uri, component] };
}

export function preflight(uri: string): ExecuteCommand {
  return { command: ServerCommands.preflight, arguments: [uri] };
}

/** `input` as typed: empty connects to the blueprint's own address. */
export function connect(input: string): ExecuteCommand {
  return { command: ServerCommands.liveConnect, arguments: connectArguments(input) };
}

export function disconnect(): ExecuteCommand {
  return { command: ServerCommands.liveDisconnect, arguments: [] };
}

/**
 * Server commands that the extension registers itself under the same id.
 * The language client would register every command the server announces,
 * and VS Code refuses a second registration of one id, so these are
 * withheld from it; a code action or lens that names one still reaches the
 * server, through the extension's handler, which forwards its arguments.
 */
export const OWNED_SERVER_COMMANDS: ReadonlySet<string> = new Set(
  Object.values(Commands).filter((id) => (Object.values(ServerCommands) as string[]).includes(id)),
);

/** The commands the language client may register for the server. */
export function clientRegistered(commands: readonly string[] | undefined): string[] {
  return (commands ?? []).filter((c) => !OWNED_SERVER_COMMANDS.has(c));
}

/** What to tell the user after a command succeeded, if anything. */
export function describeResult(request: ExecuteCommand, result: unknown): string | undefined {
  if (request.command !== ServerCommands.generate && request.command !== ServerCommands.regenerateComponent) {
    return undefined;
  }
  const answer = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
  const what = request.command === ServerCommands.generate ? 'the system' : `component ${String(request.arguments[1])}`;
  if (answer.applied === true) {
    return `Blueprint: generated ${what}.`;
  }
  if (typeof answer.reason === 'string') {
    return `Blueprint: nothing to generate for ${what} (${answer.reason}).`;
  }
  if (answer.applied === false) {
    return `Blueprint: the generated files for ${what} were not applied.`;
  }
  return undefined;
}
