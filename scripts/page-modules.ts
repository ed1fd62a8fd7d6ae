import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { format, resolveConfig } from 'prettier';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');

/**
 * The renderer's pure modules the page runs as they are: its live preview
 * moves a photo with the very function that moves it in the video. Each has
 * only type imports, which transpiling drops, so the page needs no bundler.
 */
export const PAGE_MODULES = [
  { source: join(ROOT, 'src/render/picture/motion.ts'), target: join(ROOT, 'public/render/motion.js') },
  { source: join(ROOT, 'src/render/picture/crop.ts'), target: join(ROOT, 'public/render/crop.js') },
  { source: join(ROOT, 'src/render/graph.ts'), target: join(ROOT, 'public/render/graph.js') },
  {
    source: join(ROOT, 'src/render/picture/transition-geometry.ts'),
    target: join(ROOT, 'public/render/transition-geometry.js'),
  },
];

/** A module as the page loads it: JavaScript, with a header that says where it came from. */
export async function pageModule(source: string, target: string): Promise<string> {
  const { outputText } = ts.transpileModule(await readFile(source, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  });
  const header = `// Made by \`npm run build:page\` from ${relative(ROOT, source)}: edit that file, then run it again.\n`;
  return format(header + outputText, { ...(await resolveConfig(target)), parser: 'babel' });
}

if (process.argv[1] === import.meta.filename) {
  for (const module of PAGE_MODULES) {
    await writeFile(module.target, await pageModule(module.source, module.target));
    console.log(`${relative(ROOT, module.target)} from ${basename(module.source)}`);
  }
}
