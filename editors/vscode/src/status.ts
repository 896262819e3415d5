/**
 * The status bar's text, from the server's `blueprint/status`
 * notification:
 *
 *   { preflight: { state, message },
 *     live: { state, address, message } }
 */

export type PreflightState = 'idle' | 'running' | 'ok' | 'findings' | 'unreachable';
export type LiveState = 'off' | 'not-connected' | 'connected';

export interface ServerStatus {
  preflight: { state: PreflightState; message: string };
  live: { state: LiveState; address: string | null; message: string };
}

/** Where the client is, which decides what the item shows. */
export type ClientView =
  | { kind: 'starting' }
  | { kind: 'running'; status?: ServerStatus }
  | { kind: 'stopped'; message: string };

export type Severity = 'none' | 'warning' | 'error';

export interface Rendered {
  text: string;
  tooltip: string;
  severity: Severity;
}

const PREFLIGHT_STATES: readonly PreflightState[] = ['idle', 'running', 'ok', 'findings', 'unreachable'];
const LIVE_STATES: readonly LiveState[] = ['off', 'not-connected', 'connected'];

/** Before the server says anything: nothing run, nothing watched. */
export const IDLE: ServerStatus = {
  preflight: { state: 'idle', message: 'No pre-flight has run yet.' },
  live: { state: 'off', address: null, message: 'Not watching a running system.' },
};

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The notification's params, or `undefined` when they do not fit the
 * contract (a newer server may add states; those are ignored rather than
 * shown wrongly).
 */
export function parseStatus(params: unknown): ServerStatus | undefined {
  const preflight = record(record(params)?.preflight);
  const live = record(record(params)?.live);
  if (preflight === undefined || live === undefined) {
    return undefined;
  }
  const preflightState = PREFLIGHT_STATES.find((s) => s === preflight.state);
  const liveState = LIVE_STATES.find((s) => s === live.state);
  if (preflightState === undefined || liveState === undefined) {
    return undefined;
  }
  const address = typeof live.address === 'string' && live.address !== '' ? live.address : null;
  return {
    preflight: { state: preflightState, message: str(preflight.message) },
    live: { state: liveState, address, message: str(live.message) },
  };
}

const PREFLIGHT_ICONS: Record<PreflightState, string> = {
  idle: '$(database)',
  running: '$(sync~spin)',
  ok: '$(database)',
  findings: '$(warning)',
  unreachable: '$(error)',
};

function preflightText(state: PreflightState): string {
  return `${PREFLIGHT_ICONS[state]} pre-flight ${state}`;
}

/** Nothing when live metrics are off: the item stays short. */
function liveText(live: ServerStatus['live']): string | undefined {
  switch (live.state) {
    case 'off':
      return undefined;
    case 'not-connected':
      return '$(circle-slash) not connected';
    case 'connected':
      return `$(pulse) live ${live.address ?? ''}`.trimEnd();
  }
}

function severity(status: ServerStatus): Severity {
  switch (status.preflight.state) {
    case 'unreachable':
      return 'error';
    case 'findings':
      return 'warning';
    default:
      return 'none';
  }
}

const CLICK_HINT = 'Click for Blueprint commands.';

export function render(view: ClientView): Rendered {
  switch (view.kind) {
    case 'starting':
      return { text: '$(sync~spin) Blueprint', tooltip: 'Starting the Blueprint language server…', severity: 'none' };
    case 'stopped':
      return { text: '$(error) Blueprint', tooltip: `${view.message}\n\n${CLICK_HINT}`, severity: 'error' };
    case 'running': {
      const status = view.status ?? IDLE;
      const live = liveText(status.live);
      const text = live === undefined ? preflightText(status.preflight.state) : `${preflightText(status.preflight.state)}  ${live}`;
      const lines = [`Pre-flight: ${status.preflight.message}`, `Live metrics: ${status.live.message}`, '', CLICK_HINT];
      return { text, tooltip: lines.join('\n'), severity: severity(status) };
    }
  }
}
