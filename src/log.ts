import { AsyncLocalStorage } from 'node:async_hooks';
import { getConfig } from './config.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

interface LogContext {
  requestId?: string;
  projectId?: string;
  runId?: string;
  segment?: number;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with fields (request id, run id) that every log line inside it carries. */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (RANK[level] < RANK[getConfig().LOG_LEVEL]) return;
  const line = JSON.stringify({ ts: new Date().toISOString(), level, msg: message, ...context.getStore(), ...fields });
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
}

/** Structured JSON logs, one line each. */
export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};

/** An error as fields for a log line: name, message and stack stay in logs, never in responses. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { error: { name: error.name, message: error.message, stack: error.stack } };
  return { error: String(error) };
}
