import type SharpModule from 'sharp';

/**
 * The native picture libraries, loaded on first use. The function bundler
 * lifts a static import of an external package to the top of the bundle, so
 * every process started from it would map libvips and libheif (≈ 40 MB) even
 * if it never touched a picture, as the render function's invoking process
 * does while its render runs in a child process. A dynamic import stays where
 * it is written.
 */
let sharpLoading: Promise<typeof SharpModule> | undefined;
let heicLoading: Promise<typeof import('heic-decode').default> | undefined;

/**
 * sharp, set up once per process: each photo is read once, so caching decoded
 * images would only hold memory; and one libvips thread per operation (photos
 * are prepared two at a time) keeps glibc from growing a malloc arena per
 * thread that is never given back.
 */
export function loadSharp(): Promise<typeof SharpModule> {
  return (sharpLoading ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp;
  }));
}

export function loadHeicDecoder(): Promise<typeof import('heic-decode').default> {
  return (heicLoading ??= import('heic-decode').then((loaded) => loaded.default));
}
