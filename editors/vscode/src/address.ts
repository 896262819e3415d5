/**
 * The address typed into "Connect to Running System": `host:port`, or
 * nothing for the blueprint's own `observability.metrics.listen`.
 */

// A host name or IPv4 address, or an IPv6 address in brackets (as in a
// URL), then a port.
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d+)$/;

/** Why `input` is not an address, or `undefined` when it is acceptable. */
export function validateAddress(input: string): string | undefined {
  const address = input.trim();
  if (address === '') {
    return undefined;
  }
  const match = HOST_PORT.exec(address);
  if (match === null) {
    return 'Expected host:port, for example 127.0.0.1:9464 (leave empty for the blueprint\'s own address).';
  }
  const port = Number(match[2]);
  if (port < 1 || port > 65535) {
    return `The port must be between 1 and 65535, not ${match[2]}.`;
  }
  return undefined;
}

/** The arguments of `blueprint.live.connect`: empty for the blueprint's own address. */
export function connectArguments(input: string): string[] {
  const address = input.trim();
  return address === '' ? [] : [address];
}
