// Compiles the client to dist/: its own modules at the top, and the service's wire schemas it imports (src/schemas,
// the one copy kept in git) under dist/schemas/, with the imports between them rewritten to match. `types: []` in
// tsconfig.build.json keeps Node's types out, so the client stays usable wherever fetch is.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(packageDir, '../..');
const dist = join(packageDir, 'dist');
const staging = join(dist, '.tsc');
/** Where each compiled source folder lands in dist/. */
const placements = [
  { from: join(repoDir, 'packages/client/src'), to: dist },
  { from: join(repoDir, 'src/schemas'), to: join(dist, 'schemas') },
];

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
await rm(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json')], { stdio: 'inherit' });

/** The dist/ path of a compiled file or import target, given its path in the source tree. */
function placed(sourcePath) {
  const placement = placements.find(({ from }) => !relative(from, sourcePath).startsWith('..'));
  if (!placement)
    throw new Error(
      `${relative(repoDir, sourcePath)} is outside what the client may ship (${placements.map(({ from }) => relative(repoDir, from)).join(', ')}).`,
    );
  return join(placement.to, relative(placement.from, sourcePath));
}

async function* files(directory) {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

for await (const file of files(staging)) {
  const source = join(repoDir, relative(staging, file));
  const target = placed(source);
  const text = (await readFile(file, 'utf8')).replace(
    /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\2/g,
    (_, keyword, quote, specifier) => {
      let moved = relative(dirname(target), placed(resolve(dirname(source), specifier)));
      if (!moved.startsWith('.')) moved = `./${moved}`;
      return `${keyword}${quote}${moved}${quote}`;
    },
  );
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text);
}
await rm(staging, { recursive: true, force: true });
