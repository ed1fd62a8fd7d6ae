import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { PhotoAnalysis } from '../schemas/media.js';

/**
 * The face detector's side of media/faces.ts: this module is also the entry of the worker thread that detector
 * runs in. Inference is synchronous WebAssembly, a quarter of a second for a photo, which must not stall the
 * thread that serves requests and streams progress.
 *
 * The worker is started from this module's own URL: from the sources that is this file, which Node runs as it is
 * (its only imports of the project are types, which Node strips); in a function bundle it is the bundle, which
 * holds this module. Either way the check at the end makes the loaded module serve detections.
 */
export const DETECTOR_ENTRY = import.meta.url;
/** Marks the worker started for the detector (workerData.role), so that no other worker serves by mistake. */
export const DETECTOR_ROLE = 'sirtrav-face-detector';

type Region = PhotoAnalysis['focus'];

/** A request to the worker: the RGB pixels (3 bytes a pixel) of one image. */
export interface DetectRequest {
  id: number;
  rgb: Uint8Array;
  width: number;
  height: number;
  minScore?: number;
}

/** The worker's answer to one request. */
export type DetectReply = { id: number; faces: Region[] } | { id: number; error: string };

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
async function detectInThread(
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

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/** In the detector's worker: answers requests one at a time, in order. */
function serve(port: NonNullable<typeof parentPort>): void {
  let queue = Promise.resolve();
  port.on('message', (request: DetectRequest) => {
    queue = queue.then(async () => {
      const reply: DetectReply = await detectInThread(request.rgb, request.width, request.height, {
        ...(request.minScore === undefined ? {} : { minScore: request.minScore }),
      }).then(
        (faces) => ({ id: request.id, faces }),
        (error: unknown) => ({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
      );
      port.postMessage(reply);
    });
  });
}

if (!isMainThread && parentPort && (workerData as { role?: unknown } | null)?.role === DETECTOR_ROLE) serve(parentPort);
