import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PhotoAnalysis } from '../schemas/media.js';

type Region = PhotoAnalysis['focus'];

/** What the detector needs of face-api and TensorFlow.js (both loaded on first use, as CommonJS). */
interface FaceApi {
  tf: {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    tensor3d(values: Int32Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
    io: { decodeWeights(buffer: ArrayBuffer, specs: unknown): unknown };
  };
  nets: { tinyFaceDetector: { loadFromWeightMap(weights: unknown): Promise<void> } };
  TinyFaceDetectorOptions: new (options: { inputSize: number; scoreThreshold: number }) => unknown;
  detectAllFaces(
    input: unknown,
    options: unknown,
  ): Promise<Array<{ score: number; box: { x: number; y: number; width: number; height: number } }>>;
}

/** Scores below this are not taken for a face: the tiny detector's own default, which ignores a cat's. */
const MIN_SCORE = 0.5;
/**
 * The detector's input sides (multiples of 32). One alone misses a face now and then that the other finds (seen
 * on frames a few pixels apart), so each tile is read at both and the finds are merged.
 */
const INPUT_SIZES = [320, 416];

let loading: Promise<FaceApi> | null = null;

/**
 * face-api's tiny face detector (a 193 KB model shipped inside the npm package) on TensorFlow.js's
 * WebAssembly backend: loaded once per process, on the first photo. The code is bundled with the function;
 * the backend's .wasm and the model are files beside it (netlify.toml's included_files), found by resolving.
 */
function detector(): Promise<FaceApi> {
  loading ??= (async () => {
    const [faceModule, wasm] = await Promise.all([
      import('@vladmandic/face-api/dist/face-api.node-wasm.js'),
      import('@tensorflow/tfjs-backend-wasm'),
    ]);
    const faceapi = ((faceModule as { default?: unknown }).default ?? faceModule) as FaceApi;
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    await faceapi.tf.setBackend('wasm');
    await faceapi.tf.ready();
    const models = dirname(require.resolve('@vladmandic/face-api/model/tiny_face_detector_model.bin'));
    const manifest = JSON.parse(
      await readFile(join(models, 'tiny_face_detector_model-weights_manifest.json'), 'utf8'),
    ) as Array<{ weights: unknown }>;
    const bin = await readFile(join(models, 'tiny_face_detector_model.bin'));
    const weights = faceapi.tf.io.decodeWeights(
      bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      manifest[0]!.weights,
    );
    await faceapi.nets.tinyFaceDetector.loadFromWeightMap(weights);
    return faceapi;
  })();
  // A failed load is tried again by the next photo rather than remembered.
  loading.catch(() => (loading = null));
  return loading;
}

/** A face found in one square tile, in the whole image's pixels. */
interface Found {
  score: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Where square tiles start along one side, overlapping by a quarter, the last flush with the end. */
function tileStarts(length: number, side: number): number[] {
  if (length <= side) return [0];
  const starts: number[] = [];
  for (let at = 0; at + side < length; at += Math.round(side * 0.75)) starts.push(at);
  starts.push(length - side);
  return starts;
}

const overlap = (a: Found, b: Found) => {
  const w = Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left));
  const h = Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  const area = (f: Found) => (f.right - f.left) * (f.bottom - f.top);
  return (w * h) / Math.min(area(a), area(b));
};

/**
 * The faces in an RGB image (3 bytes a pixel), as regions of it in 0..1, largest first. The detector sees a
 * square: a wide or tall image is read in overlapping square tiles, so a face at the end of a panorama is as
 * large to it as one in a square photo; a face found twice (two tiles, two input sides) is kept once, at its
 * best score.
 */
export async function detectFaces(
  rgb: Uint8Array,
  width: number,
  height: number,
  options: { minScore?: number } = {},
): Promise<Region[]> {
  const faceapi = await detector();
  const side = Math.min(width, height);
  const found: Found[] = [];
  for (const top of tileStarts(height, side))
    for (const left of tileStarts(width, side)) {
      const tile = new Int32Array(side * side * 3);
      for (let row = 0; row < side; row++) {
        const from = ((top + row) * width + left) * 3;
        tile.set(rgb.subarray(from, from + side * 3), row * side * 3);
      }
      const tensor = faceapi.tf.tensor3d(tile, [side, side, 3], 'int32');
      try {
        for (const inputSize of INPUT_SIZES) {
          const faces = await faceapi.detectAllFaces(
            tensor,
            new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: options.minScore ?? MIN_SCORE }),
          );
          for (const { score, box } of faces)
            found.push({
              score,
              left: left + box.x,
              top: top + box.y,
              right: left + box.x + box.width,
              bottom: top + box.y + box.height,
            });
        }
      } finally {
        tensor.dispose();
      }
    }
  const kept: Found[] = [];
  for (const face of found.sort((a, b) => b.score - a.score))
    if (kept.every((other) => overlap(face, other) < 0.5)) kept.push(face);
  const unit = (value: number) => Math.min(1, Math.max(0, value));
  return kept
    .map((face) => {
      const x = unit(face.left / width);
      const y = unit(face.top / height);
      return {
        x: round4(x),
        y: round4(y),
        width: round4(unit(face.right / width) - x),
        height: round4(unit(face.bottom / height) - y),
      };
    })
    .filter((face) => face.width > 0 && face.height > 0)
    .sort((a, b) => b.width * b.height - a.width * a.height);
}

/**
 * The region a crop must keep whole for these faces: all of them, each widened to the head (the detector's box
 * is the face from brow to chin), clamped to the photo.
 */
export function headsRegion(faces: Region[]): Region | null {
  if (faces.length === 0) return null;
  const heads = faces.map((face) => ({
    left: face.x - face.width * 0.25,
    top: face.y - face.height * 0.45,
    right: face.x + face.width * 1.25,
    bottom: face.y + face.height * 1.2,
  }));
  const left = Math.max(0, Math.min(...heads.map((h) => h.left)));
  const top = Math.max(0, Math.min(...heads.map((h) => h.top)));
  const right = Math.min(1, Math.max(...heads.map((h) => h.right)));
  const bottom = Math.min(1, Math.max(...heads.map((h) => h.bottom)));
  return { x: round4(left), y: round4(top), width: round4(right - left), height: round4(bottom - top) };
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
