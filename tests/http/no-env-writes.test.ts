import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(directory, entry.name)]
        : [],
  );
}

it('the service never writes process.env at run time (secrets stay where they were put)', () => {
  const offenders = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'netlify'))]
    .filter((file) =>
      /process\.env(\.\w+|\[[^\]]+\])\s*=[^=]|delete\s+process\.env|Object\.assign\(\s*process\.env/.test(
        readFileSync(file, 'utf8'),
      ),
    )
    .map((file) => file.slice(ROOT.length));
  expect(offenders).toEqual([]);
});
