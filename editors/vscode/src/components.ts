/**
 * Component names for "Regenerate Component", from the server's
 * `textDocument/documentSymbol` answer. The outline nests components
 * (kind Class) under the system (kind Namespace, detail "system").
 */

/** LSP SymbolKind values (1-based, unlike VS Code's enum). */
const NAMESPACE = 3;
const CLASS = 5;

export interface Component {
  name: string;
  /** The component's type (`Store`, `APIEndpoint`…), when known. */
  type?: string;
}

interface SymbolLike {
  name?: unknown;
  kind?: unknown;
  detail?: unknown;
  children?: unknown;
  location?: unknown;
}

function symbols(value: unknown): SymbolLike[] {
  return Array.isArray(value) ? value.filter((s): s is SymbolLike => typeof s === 'object' && s !== null) : [];
}

function component(symbol: SymbolLike): Component | undefined {
  if (symbol.kind !== CLASS || typeof symbol.name !== 'string' || symbol.name.trim() === '') {
    return undefined;
  }
  return typeof symbol.detail === 'string' ? { name: symbol.name, type: symbol.detail } : { name: symbol.name };
}

/** The components of the blueprint, in source order, each name once. */
export function componentsOf(answer: unknown): Component[] {
  const all = symbols(answer);
  // A flat SymbolInformation[] (no hierarchy support) lists them directly.
  const candidates = all.some((s) => s.location !== undefined)
    ? all
    : all
        .filter((s) => s.kind === NAMESPACE && s.detail === 'system')
        .flatMap((system) => symbols(system.children));
  const seen = new Set<string>();
  const found: Component[] = [];
  for (const candidate of candidates) {
    const c = component(candidate);
    if (c !== undefined && !seen.has(c.name)) {
      seen.add(c.name);
      found.push(c);
    }
  }
  return found;
}
