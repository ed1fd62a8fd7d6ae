import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../errors.js';

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });
let resolver: Resolver = systemResolver;

/** Tests resolve hostnames without DNS; `undefined` restores the system resolver. */
export function useResolver(next: Resolver | undefined): void {
  resolver = next ?? systemResolver;
}

export const resolveHost: Resolver = (hostname) => resolver(hostname);

/** Addresses a webhook must never reach from production: loopback, private, link-local, and the like. */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** Whether an address is loopback, private, link-local, multicast or reserved (IPv4-mapped IPv6 included). */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const refuse = (message: string, details?: unknown) => new AppError(400, 'invalid_webhook_url', message, details === undefined ? {} : { details });

/**
 * Checks a webhook URL before any connection. In production: https only, no
 * credentials, and every address the host resolves to must be public (a name
 * that resolves to 10.0.0.5 is refused like 10.0.0.5 itself). Local
 * development allows any http(s) URL, so a webhook can reach a local server.
 */
export async function checkWebhookUrl(raw: string, options: { production: boolean }): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('webhookUrl is not a URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('webhookUrl must be an http(s) URL.');
  if (!options.production) return url;
  if (url.protocol !== 'https:') throw refuse('webhookUrl must use https.');
  if (url.username || url.password) throw refuse('webhookUrl must not carry credentials.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await resolveHost(host).then(
        (found) => found.map((entry) => entry.address),
        () => [] as string[],
      );
  if (addresses.length === 0) throw refuse(`webhookUrl host ${host.slice(0, 100)} does not resolve.`);
  const blocked = addresses.filter(isBlockedAddress);
  if (blocked.length > 0) throw refuse('webhookUrl resolves to a private, loopback or link-local address, which is not allowed.', { host: host.slice(0, 100) });
  return url;
}
