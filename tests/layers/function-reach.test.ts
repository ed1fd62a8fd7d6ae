import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The files a function's entry reaches through value imports (type-only imports vanish at build time). The API
 * functions are bundled without ffmpeg, fonts or the voice: reaching the renderer's drawing, sound or video parts
 * from them fails at the first request on a deploy, not here, unless this walk catches it.
 */
function reachedFrom(entry: string): Map<string, string | null> {
  const from = new Map<string, string | null>([[path.resolve(entry), null]]);
  const queue = [path.resolve(entry)];
  for (let file = queue.shift(); file; file = queue.shift()) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const specifiers: string[] = [];
    for (const statement of source.statements) {
      if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) {
        specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
      } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
        specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
      }
    }
    const dynamic = /import\(\s*'(\.[^']+)'\s*\)/g;
    for (const match of source.text.matchAll(dynamic)) specifiers.push(match[1] as string);
    for (const specifier of specifiers.filter((s) => s.startsWith('.'))) {
      const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'));
      if (!from.has(target)) {
        from.set(target, file);
        queue.push(target);
      }
    }
  }
  return from;
}

function chainTo(reached: Map<string, string | null>, file: string): string {
  const chain: string[] = [];
  for (let at: string | null | undefined = file; at; at = reached.get(at)) chain.unshift(path.relative('.', at));
  return chain.join(' → ');
}

describe('what each function bundles', () => {
  for (const entry of ['netlify/functions/api.ts', 'netlify/functions/api-write.ts']) {
    it(`${entry} reaches only the renderer's photo decoding, framing rule and clip report`, () => {
      const reached = reachedFrom(entry);
      // An upload is decoded (into sRGB, through its ICC profile or HEIF colour box, HDR stills tone-mapped) and
      // measured for the director where it arrives, and a clip's ffmpeg report read; an edit frames a replacing photo
      // by the director's rule.
      const allowed = [
        'src/render/picture/decode.ts',
        'src/render/picture/heif-colour.ts',
        'src/render/picture/nclx.ts',
        'src/render/picture/icc-profile.ts',
        'src/render/picture/hdr-still.ts',
        'src/render/picture/hdr-tone-map.ts',
        'src/render/picture/framing.ts',
        'src/render/picture/native.ts',
        'src/render/picture/icc-png.ts',
        'src/render/video/clip-report.ts',
      ].map((file) => path.resolve(file));
      const render = [...reached.keys()].filter(
        (file) => file.includes(`${path.sep}src${path.sep}render${path.sep}`) && !allowed.includes(file),
      );
      expect(
        render.map((file) => chainTo(reached, file)),
        'import chains',
      ).toEqual([]);
      expect(reached.size).toBeGreaterThan(50);
    });
  }
});
