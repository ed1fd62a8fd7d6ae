import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { classifyError, ERROR_RULES, PipelineError } from '../../src/pipeline/index.js';
import { CorruptBlobError } from '../../src/storage/index.js';

/** An error as Node or undici raise it: a code (maybe on the cause), a name, a syscall. */
const nodeError = (message: string, fields: { code?: string; name?: string; syscall?: string }) =>
  Object.assign(new Error(message), fields);

/** One real-shaped error for each row of the table, and what it must become. */
const ROWS: Array<[string, unknown, { errorClass: string; code: string; retryable: boolean }]> = [
  [
    'a tool (ffmpeg) could not be started',
    nodeError('spawn /nope/ffmpeg ENOENT', { code: 'ENOENT', syscall: 'spawn /nope/ffmpeg' }),
    { errorClass: 'configuration', code: 'tool_missing', retryable: false },
  ],
  [
    'the network dropped or refused the connection',
    new TypeError('fetch failed', {
      cause: nodeError('connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED', syscall: 'connect' }),
    }),
    { errorClass: 'network', code: 'network_error', retryable: true },
  ],
  [
    'memory, disk or file handles ran out',
    nodeError('ENOSPC: no space left on device, write', { code: 'ENOSPC', syscall: 'write' }),
    { errorClass: 'resource', code: 'resource_exhausted', retryable: true },
  ],
  [
    'a request or a step took too long',
    new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    { errorClass: 'timeout', code: 'timeout', retryable: true },
  ],
];

describe('classifyError', () => {
  it('has a test for every row of the table', () => {
    expect(ROWS.map(([when]) => when)).toEqual(ERROR_RULES.map((rule) => rule.when));
  });

  for (const [when, error, expected] of ROWS) {
    it(`row: ${when}`, () => {
      expect(classifyError(error)).toMatchObject(expected);
    });
  }

  it('goes by codes, never by message: a message that merely mentions a timeout or the network is internal', () => {
    expect(classifyError(new Error('network timed out, out of memory, fetch failed'))).toMatchObject({
      errorClass: 'internal',
      retryable: false,
    });
    expect(classifyError(nodeError('missing file', { code: 'ENOENT', syscall: 'open' }))).toMatchObject({
      errorClass: 'internal',
      code: 'internal_error',
    });
  });

  it('keeps a PipelineError as it is; a bad input or a corrupt blob is not retried; a retryable AppError is', () => {
    const own = new PipelineError({ errorClass: 'input', code: 'no_media', message: 'none' });
    expect(classifyError(own)).toBe(own);
    expect(classifyError(new AppError(422, 'media_not_found', 'gone'))).toMatchObject({
      errorClass: 'input',
      code: 'media_not_found',
      retryable: false,
    });
    expect(classifyError(new CorruptBlobError('runs', 'k', 'hash', 'hash mismatch'))).toMatchObject({
      code: 'corrupt_input',
      retryable: false,
    });
    expect(classifyError(new AppError(503, 'storage_unavailable', 'later'))).toMatchObject({
      errorClass: 'network',
      retryable: true,
    });
  });

  it('a PipelineError carries no HTTP status', () => {
    expect('status' in new PipelineError({ errorClass: 'network', code: 'x', message: 'y' })).toBe(false);
  });
});
