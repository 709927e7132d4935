/**
 * Checks the shape of a Temporal frontend address at start-up, so `localhost` or
 * `http://host:7233` is rejected with the variable's name instead of failing later inside gRPC.
 */

/** `host:port` with a DNS name or IPv4 address, or `[ipv6]:port`. */
const ADDRESS = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

/**
 * Returns a problem description when `address` is not `host:port`, or undefined when it is.
 * `source` names where the value came from (a variable or a profile key).
 */
export function addressProblem(address: string, source: string): string | undefined {
  const port = ADDRESS.exec(address)?.[1];
  if (port !== undefined && Number(port) >= 1 && Number(port) <= 65535) return undefined;
  const hint = /^[a-z]+:\/\//i.test(address) ? ' without a scheme' : '';
  return (
    `${source} must be host:port${hint}, such as localhost:7233 or <namespace>.<account>.tmprl.cloud:7233, ` +
    `got ${JSON.stringify(address)}`
  );
}
