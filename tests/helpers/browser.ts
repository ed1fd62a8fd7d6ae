import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/**
 * The browser for the page tests. By default it is the Chromium that ships inside the `@sparticuz/chromium` npm
 * package (a brotli-packed headless shell linked only against libc; unpacked to the temp directory on first use,
 * ~10 s), so `npm ci` is all a machine needs: no apt step and no browser download. `CHROMIUM_PATH` selects another
 * binary instead, e.g. Debian's `/usr/bin/chromium`.
 *
 * Both get the same flags. Not the package's own `args`: those are for a Lambda sandbox and include
 * `--single-process` (a second browser context then closes at once) and `--disable-web-security` (which would hide
 * CORS mistakes from the page test).
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  // Keep Chromium off the network (closed here: its background connections would only be refused) and out of first-run chores.
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export class BrowserUnavailableError extends Error {
  override name = 'BrowserUnavailableError';
}

export async function launchBrowser(): Promise<Browser> {
  const override = process.env.CHROMIUM_PATH;
  const executablePath = override || (await bundledChromium());
  const env = override ? process.env : { ...process.env, FONTCONFIG_FILE: await fontConfig() };
  try {
    return await chromium.launch({ executablePath, args: ARGS, headless: true, env });
  } catch (error) {
    const hint = override
      ? `CHROMIUM_PATH=${override} did not start (unset it to use the Chromium from @sparticuz/chromium)`
      : 'the Chromium from @sparticuz/chromium did not start (run `npm ci`, or set CHROMIUM_PATH to a Chromium binary)';
    throw new BrowserUnavailableError(`${hint}: ${(error as Error).message}`, { cause: error });
  }
}

/** One browser for a test file, closed after it; `current` is set once its tests run. */
export function useBrowser(): { current: Browser } {
  const holder = {} as { current: Browser };
  beforeAll(async () => {
    holder.current = await launchBrowser();
  });
  afterAll(async () => {
    await holder.current?.close();
  });
  return holder;
}

async function bundledChromium(): Promise<string> {
  try {
    return await sparticuz.executablePath();
  } catch (error) {
    throw new BrowserUnavailableError(
      `no browser for the page tests: @sparticuz/chromium could not be unpacked (run \`npm ci\`, or set CHROMIUM_PATH to a Chromium binary): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * The system's fonts where it has any, plus the Open Sans that `executablePath()` unpacked next to the browser:
 * on a machine without fonts the page would otherwise render no text at all (and screenshots come out blank).
 */
async function fontConfig(): Promise<string> {
  const file = join(tmpdir(), 'sirtrav-chromium-fonts.conf');
  const conf = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    `  <dir>${join(tmpdir(), 'fonts')}</dir>`,
    `  <cachedir>${join(tmpdir(), 'fonts-cache')}</cachedir>`,
    '</fontconfig>',
  ];
  await writeFile(file, `${conf.join('\n')}\n`);
  return file;
}
