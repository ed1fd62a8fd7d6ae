import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PAGE_MODULES, pageModule } from '../../scripts/page-modules.js';

describe("the page's copies of the renderer's pure modules", () => {
  it('are what `npm run build:page` makes from the sources today', async () => {
    for (const module of PAGE_MODULES)
      expect(await readFile(module.target, 'utf8'), `${module.target}: run npm run build:page`).toBe(
        await pageModule(module.source, module.target),
      );
  });
});
