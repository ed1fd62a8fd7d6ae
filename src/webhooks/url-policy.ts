import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { getConfig } from '../config.js';
import { AppError } from '../errors.js';

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });
let resolver: Resolver = systemResolver;

/** Tests resolve hostnames without DNS; `undefined` restores the system resolver. */
export function useResolver(next: Resolver | undefined): void {
  resolver = next ?? systemResolver;
}

/**
 * Whether webhooks must stay off loopback and private addresses: always, but in
 * a process started with `SIRTRAV_WEBHOOK_ALLOW_PRIVATE=1` (local development
 * and tests). A deploy is closed without anything to configure.
 */
export const webhookGuardOn = (): boolean => !getConfig().SIRTRAV_WEBHOOK_ALLOW_PRIVATE;

/**
 * Addresses a webhook must never reach: IANA's special-purpose ranges (loopback,
 * private, shared/CGNAT, link-local, documentation, benchmarking, multicast,
 * reserved). For IPv6 only global unicast (2000::/3) is public at all, so
 * IPv4-mapped (`::ffff:127.0.0.1`), IPv4-compatible and NAT64 forms are refused
 * whatever IPv4 address they carry. Two lists, because a `BlockList` matches an
 * IPv4 address against IPv6 rules through its mapped form.
 */
const BLOCKED_V4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED_V4.addSubnet(network, prefix, 'ipv4');
const BLOCKED_V6 = new BlockList();
for (const [network, prefix] of [
  // Outside 2000::/3: unspecified, loopback, mapped, IPv4-compatible, NAT64, discard, unique-local, link-local, multicast…
  ['::', 3],
  ['4000::', 2],
  ['8000::', 1],
  // Inside it: IETF protocol assignments (Teredo, ORCHID, benchmarking), 6to4, and the documentation ranges.
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['3fff::', 20],
] as const)
  BLOCKED_V6.addSubnet(network, prefix, 'ipv6');

/** Whether an address is loopback, private, link-local, multicast or reserved (anything but a public unicast address). */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED_V4.check(address, 'ipv4');
  if (family === 6) return BLOCKED_V6.check(address, 'ipv6');
  return true;
}

const refuse = (message: string, details?: unknown) =>
  new AppError(422, 'invalid_webhook_url', message, details === undefined ? {} : { details });

/** The one address a webhook attempt connects to, checked before the connection. */
export interface WebhookTarget {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a webhook URL's host once and, with the guard on, refuses it unless
 * every address is public (a name resolving to both 93.184.216.34 and 10.0.0.5
 * is refused like 10.0.0.5 itself). The WHATWG URL parser has already
 * normalised `2130706433`, `0x7f.1` and `0177.0.0.1` to `127.0.0.1`, and
 * `[::ffff:127.0.0.1]` to `[::ffff:7f00:1]`. The first address is the one to
 * connect to, so nothing resolved later (DNS rebinding) is ever reached.
 */
export async function resolveWebhookTarget(url: URL, options: { guard: boolean }): Promise<WebhookTarget> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  const found = literal
    ? [{ address: host, family: literal }]
    : await resolver(host).then(
        (entries) => entries,
        () => [],
      );
  const first = found[0];
  if (!first) throw refuse(`webhookUrl host ${host.slice(0, 100)} does not resolve.`);
  if (options.guard && found.some((entry) => isBlockedAddress(entry.address)))
    throw refuse(
      'webhookUrl resolves to a loopback, private, link-local or otherwise non-public address, which is not allowed.',
      { host: host.slice(0, 100) },
    );
  return { address: first.address, family: isIP(first.address) === 6 ? 6 : 4 };
}

/**
 * Checks a webhook URL when a run is started, before anything is stored. With
 * the guard on (everywhere but local development): https only, no
 * credentials, and every address of the host public. With it off, any
 * http(s) URL, so a webhook can reach a local server.
 */
export async function checkWebhookUrl(raw: string, options: { guard: boolean }): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('webhookUrl is not a URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('webhookUrl must be an http(s) URL.');
  if (!options.guard) return url;
  if (url.protocol !== 'https:') throw refuse('webhookUrl must use https.');
  if (url.username || url.password) throw refuse('webhookUrl must not carry credentials.');
  await resolveWebhookTarget(url, options);
  return url;
}
