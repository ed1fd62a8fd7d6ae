import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import initWabt from 'wabt';

/** Each WebAssembly kernel: its text source, and the module that carries its binary into the bundles. */
export const KERNELS = [
  {
    source: join(import.meta.dirname, '../src/render/picture/warp.wat'),
    module: join(import.meta.dirname, '../src/render/picture/warp-kernel.ts'),
    name: 'WARP_WASM',
  },
  {
    source: join(import.meta.dirname, '../src/render/sound/peaks.wat'),
    module: join(import.meta.dirname, '../src/render/sound/peaks-kernel.ts'),
    name: 'PEAKS_WASM',
  },
];

/** The binary of a kernel's text source. */
export async function compileKernel(source: string): Promise<Uint8Array> {
  const wabt = await initWabt();
  const parsed = wabt.parseWat(basename(source), await readFile(source, 'utf8'), { simd: true });
  try {
    parsed.validate();
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

/** The TypeScript module that holds a kernel's binary (base64: the function bundler carries it with the code). */
export function kernelModule(kernel: (typeof KERNELS)[number], binary: Uint8Array): string {
  return [
    `// Made by \`npm run build:wasm\` from ${basename(kernel.source)}: edit that file, then run it again.`,
    `export const ${kernel.name} =`,
    `  '${Buffer.from(binary).toString('base64')}';`,
    '',
  ].join('\n');
}

if (process.argv[1] === import.meta.filename) {
  for (const kernel of KERNELS) {
    const binary = await compileKernel(kernel.source);
    await writeFile(kernel.module, kernelModule(kernel, binary));
    console.log(
      `${basename(kernel.module)}: ${binary.byteLength} bytes of WebAssembly from ${basename(kernel.source)}`,
    );
  }
}
