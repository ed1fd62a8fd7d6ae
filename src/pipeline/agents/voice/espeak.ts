import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/**
 * espeak-ng compiled to wasm, from the `text2wav` package, driven through its Emscripten module directly instead of
 * through `text2wav()`, which:
 * - compiled the 0.8 MB wasm anew on every call, after first trying `WebAssembly.instantiateStreaming(fetch(path))`,
 *   which Node cannot do with a file path: "wasm streaming compile failed … falling back to ArrayBuffer
 *   instantiation" on every voice step. Here the wasm is compiled once and handed over through `instantiateWasm`,
 *   so streaming is never attempted;
 * - passed the text as a command-line argument, so a text starting with "-" was read as an option, and espeak-ng's
 *   `exit()` became `process.exit()`: the whole process ended (with status 0) mid-run. Here the text goes in as a
 *   file and `quit` only records the status;
 * - left a process-wide `uncaughtException` and `unhandledRejection` listener behind on every call (the second
 *   turns any unhandled rejection into an Emscripten abort, and they pile up past Node's listener limit). Here they
 *   are removed as soon as the module has installed them: with `quit` replaced, nothing is left for them to catch.
 *
 * Resolved from `node_modules/text2wav` next to the code, so it works the same in a deployed function bundle.
 */

const require = createRequire(import.meta.url);

interface EmscriptenFs {
  writeFile(path: string, data: string): void;
  readFile(path: string): Uint8Array;
  analyzePath(path: string): { exists: boolean };
}

/** The part of the Emscripten `Module` object used here (see text2wav/lib/espeak-ng.js). */
interface EspeakModule {
  arguments: string[];
  preRun: Array<() => void>;
  postRun: Array<() => void>;
  instantiateWasm(
    imports: WebAssembly.Imports,
    receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  ): object;
  quit(status: number, toThrow: unknown): never;
  onAbort(what: unknown): void;
  FS?: EmscriptenFs;
}

export class EspeakError extends Error {
  override name = 'EspeakError';
}

const IN = '/narration.txt';
const OUT = '/narration.wav';
let compiled: Promise<WebAssembly.Module> | undefined;

function compileOnce(): Promise<WebAssembly.Module> {
  compiled ??= readFile(require.resolve('text2wav/lib/espeak-ng.wasm')).then((bytes) => WebAssembly.compile(bytes));
  // A failed read or compile is not cached: the next call tries again.
  compiled.catch(() => (compiled = undefined));
  return compiled;
}

/** Instantiates the Emscripten module without leaving its process-wide listeners behind. */
function startModule(module: EspeakModule): void {
  const factory = require('text2wav/lib/espeak-ng.js') as (module: EspeakModule) => unknown;
  const uncaught = new Set(process.listeners('uncaughtException'));
  const unhandled = new Set(process.listeners('unhandledRejection'));
  try {
    factory(module);
  } finally {
    for (const listener of process.listeners('uncaughtException'))
      if (!uncaught.has(listener)) process.removeListener('uncaughtException', listener);
    for (const listener of process.listeners('unhandledRejection'))
      if (!unhandled.has(listener)) process.removeListener('unhandledRejection', listener);
  }
}

export interface EspeakOptions {
  voice: string;
  /** Words per minute (espeak-ng's own default is 175). */
  speed: number;
}

/** Speaks `text` into a 16-bit mono WAV (22 050 Hz). */
export function espeak(text: string, options: EspeakOptions): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    let exitStatus = 0;
    const module: EspeakModule = {
      arguments: ['-v', options.voice, '-s', String(options.speed), '-w', OUT, '-f', IN],
      preRun: [() => module.FS!.writeFile(IN, text)],
      postRun: [
        () => {
          const made = module.FS!.analyzePath(OUT).exists;
          if (exitStatus !== 0 || !made)
            reject(new EspeakError(`espeak-ng exited with status ${exitStatus}${made ? '' : ' and wrote no audio'}`));
          else resolve(module.FS!.readFile(OUT));
        },
      ],
      instantiateWasm: (imports, receive) => {
        compileOnce()
          .then(async (wasm) => receive(await WebAssembly.instantiate(wasm, imports), wasm))
          .catch((error: unknown) =>
            reject(error instanceof Error ? error : new EspeakError(`espeak-ng failed: ${String(error)}`)),
          );
        return {}; // exports arrive through `receive`
      },
      quit: (status, toThrow) => {
        exitStatus = status;
        throw toThrow;
      },
      onAbort: (what) => reject(new EspeakError(`espeak-ng aborted: ${String(what)}`)),
    };
    startModule(module);
  });
}
