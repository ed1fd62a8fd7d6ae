import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../src/api/index.js';
import { buildOpenApi } from '../../src/api/openapi.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = process.env.REDOCLY_BIN ?? join(ROOT, 'node_modules/.bin/redocly');

interface Problem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: Array<{ pointer: string }>;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sirtrav-openapi-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `redocly lint` with the repository's redocly.yaml: the problems it finds in a document. */
async function lint(name: string, document: Record<string, unknown>): Promise<Problem[]> {
  if (!existsSync(BIN))
    throw new Error(`No Redocly CLI at ${BIN}: install @redocly/cli, or point REDOCLY_BIN at its redocly binary`);
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(document, null, 2));
  // The linter works offline: no usage telemetry, no update check.
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  const args = ['lint', file, '--format=json', '--config', join(ROOT, 'redocly.yaml')];
  // It exits 1 when it finds errors; the report on stdout says which.
  const stdout = await promisify(execFile)(BIN, args, { env, cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }).then(
    (result) => result.stdout,
    (error: { stdout?: string; stderr?: string }) => {
      if (!error.stdout) throw new Error(`redocly lint failed: ${error.stderr ?? String(error)}`);
      return error.stdout;
    },
  );
  return (JSON.parse(stdout) as { problems: Problem[] }).problems;
}

const describeProblems = (problems: Problem[]) =>
  problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`).join('\n');

describe('OpenAPI lint', () => {
  it('the document passes redocly’s recommended rules without an error', { timeout: 120_000 }, async () => {
    const problems = await lint('openapi.json', buildOpenApi(routes));
    const errors = problems.filter((problem) => problem.severity === 'error');
    expect(errors, describeProblems(errors)).toEqual([]);
  });

  it('the linter does report errors in a broken document', { timeout: 120_000 }, async () => {
    const { servers: _servers, ...broken } = buildOpenApi(routes);
    const errors = (await lint('broken.json', broken)).filter((problem) => problem.severity === 'error');
    expect(errors.map((problem) => problem.ruleId)).toContain('no-empty-servers');
  });
});
