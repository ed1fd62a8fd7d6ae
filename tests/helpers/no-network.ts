import { createRequire, syncBuiltinESMExports } from 'node:module';
import type * as ChildProcess from 'node:child_process';
import type * as Dgram from 'node:dgram';
import type * as Dns from 'node:dns';
import type * as Net from 'node:net';

/**
 * A guard that refuses, and records, every attempt of this process to reach
 * anything but loopback: TCP and TLS connections (every client, fetch's
 * included, connects through net.Socket), name lookups and UDP sends. A
 * refused connection is destroyed before it is made, so nothing leaves the
 * machine even when the code under test is broken. It also records the
 * programs this process starts, so a test can check that no child could reach
 * out on its behalf. `restore` puts everything back.
 */
export interface NetworkGuard {
  /** What was refused: `connect 203.0.113.5:443`, `lookup example.com`, … */
  attempts: string[];
  /** Every program started, by its path or name. */
  programs: string[];
  /** Connections let through to loopback: a guard that sees none is not in the path. */
  loopback: number;
  restore: () => void;
}

const require = createRequire(import.meta.url);
const net = require('node:net') as typeof Net;
const dns = require('node:dns') as typeof Dns;
const dgram = require('node:dgram') as typeof Dgram;
const childProcess = require('node:child_process') as typeof ChildProcess;

/** Loopback only: 127.0.0.0/8, ::1 (also as an IPv4-mapped address), and the name localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice(7) : bare;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

/** The host a Socket#connect call aims at, or null for a local (IPC) socket. */
function connectTarget(args: unknown[]): { host: string; port: unknown } | null {
  // net.connect hands Socket#connect its arguments already normalised, as [options, listener].
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'string') return null;
  if (typeof first === 'number') return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first };
  const options = (first ?? {}) as { host?: string; port?: unknown; path?: string };
  if (options.path) return null;
  return { host: options.host ?? 'localhost', port: options.port };
}

const refused = (what: string) =>
  Object.assign(new Error(`${what}: refused by the test's network guard (loopback only)`), { code: 'ECONNREFUSED' });

export function guardNetwork(): NetworkGuard {
  const attempts: string[] = [];
  const programs: string[] = [];
  const guard: NetworkGuard = { attempts, programs, loopback: 0, restore: () => undefined };
  const original = {
    connect: net.Socket.prototype.connect,
    lookup: dns.lookup,
    promisesLookup: dns.promises.lookup,
    resolve: dns.resolve,
    send: dgram.Socket.prototype.send,
    spawn: childProcess.spawn,
  };

  net.Socket.prototype.connect = function (this: Net.Socket, ...args: unknown[]) {
    const target = connectTarget(args);
    if (target && !isLoopback(target.host)) {
      attempts.push(`connect ${target.host}:${String(target.port)}`);
      process.nextTick(() => this.destroy(refused(`connect ${target.host}`)));
      return this;
    }
    if (target) guard.loopback++;
    return (original.connect as (...a: unknown[]) => Net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;

  dns.lookup = function (hostname: string, ...rest: unknown[]) {
    if (!isLoopback(hostname)) {
      attempts.push(`lookup ${hostname}`);
      const callback = rest.at(-1) as (error: Error) => void;
      process.nextTick(() => callback(refused(`lookup ${hostname}`)));
      return {} as never;
    }
    return (original.lookup as (...a: unknown[]) => unknown).call(dns, hostname, ...rest);
  } as typeof dns.lookup;
  dns.promises.lookup = async function (hostname: string, ...rest: unknown[]) {
    if (!isLoopback(hostname)) {
      attempts.push(`lookup ${hostname}`);
      throw refused(`lookup ${hostname}`);
    }
    return (original.promisesLookup as (...a: unknown[]) => Promise<unknown>).call(dns.promises, hostname, ...rest);
  } as typeof dns.promises.lookup;
  dns.resolve = function (hostname: string, ...rest: unknown[]) {
    attempts.push(`resolve ${hostname}`);
    const callback = rest.at(-1) as (error: Error) => void;
    process.nextTick(() => callback(refused(`resolve ${hostname}`)));
    return {} as never;
  } as unknown as typeof dns.resolve;

  dgram.Socket.prototype.send = function (this: Dgram.Socket, ...args: unknown[]) {
    const address = args.find((arg, i) => i > 0 && typeof arg === 'string') as string | undefined;
    if (!address || !isLoopback(address)) {
      attempts.push(`udp ${address ?? '(connected socket)'}`);
      return;
    }
    return (original.send as (...a: unknown[]) => void).apply(this, args);
  } as typeof dgram.Socket.prototype.send;

  childProcess.spawn = function (command: string, ...rest: unknown[]) {
    const args = Array.isArray(rest[0]) ? (rest[0] as string[]) : [];
    // The supervisor (node -e) starts the tool named by its first argument.
    programs.push(command === process.execPath && args[0] === '-e' ? args[2]! : command);
    return (original.spawn as (...a: unknown[]) => ChildProcess.ChildProcess).call(childProcess, command, ...rest);
  } as typeof childProcess.spawn;

  // Modules that imported these by name (`import { lookup } from 'node:dns'`) see the guard too.
  syncBuiltinESMExports();
  return Object.assign(guard, {
    restore: () => {
      net.Socket.prototype.connect = original.connect;
      dns.lookup = original.lookup;
      dns.promises.lookup = original.promisesLookup;
      dns.resolve = original.resolve;
      dgram.Socket.prototype.send = original.send;
      childProcess.spawn = original.spawn;
      syncBuiltinESMExports();
    },
  });
}
