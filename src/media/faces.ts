import { Worker } from 'node:worker_threads';
import type { PhotoAnalysis } from '../schemas/media.js';
import { DETECTOR_ENTRY, DETECTOR_ROLE, type DetectReply, type DetectRequest } from './face-detector.js';

type Region = PhotoAnalysis['focus'];

/** A detection that takes longer than this has hung: its worker is stopped, and the next detection starts another. */
const DETECT_TIMEOUT_MS = 60_000;
/** The worker is stopped this long after its last answer, giving back the detector's memory before a render. */
const IDLE_MS = 2_000;

interface Pending {
  resolve(faces: Region[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** The detector's worker thread, started on the first detection and stopped when idle (see face-detector.ts). */
class DetectorWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idle: NodeJS.Timeout | null = null;
  ended = false;

  constructor() {
    this.worker = new Worker(new URL(DETECTOR_ENTRY), {
      workerData: { role: DETECTOR_ROLE },
      // Nothing of this process's flags (a loader, --expose-gc) is needed by the detector.
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    this.worker.on('message', (reply: DetectReply) => this.answer(reply));
    this.worker.on('error', (error) => this.end(error));
    this.worker.on('exit', (code) => this.end(new Error(`the face detector stopped (exit code ${code})`)));
  }

  detect(request: Omit<DetectRequest, 'id'>): Promise<Region[]> {
    const id = this.nextId++;
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    this.worker.ref();
    return new Promise<Region[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.end(new Error(`face detection took longer than ${DETECT_TIMEOUT_MS} ms`));
      }, DETECT_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...request, id } satisfies DetectRequest);
    });
  }

  private answer(reply: DetectReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    clearTimeout(waiting.timer);
    if ('error' in reply) waiting.reject(new Error(`face detection failed: ${reply.error}`));
    else waiting.resolve(reply.faces);
    if (this.pending.size === 0) {
      // An idle worker must not keep the process alive, and is stopped soon.
      this.worker.unref();
      this.idle = setTimeout(() => this.end(null), IDLE_MS);
      this.idle.unref();
    }
  }

  /** Stops the worker; what is still waiting fails with `error`. */
  private end(error: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    if (this.idle) clearTimeout(this.idle);
    for (const waiting of this.pending.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(error ?? new Error('the face detector stopped'));
    }
    this.pending.clear();
    if (current === this) current = null;
    this.worker.terminate().catch(() => undefined);
  }
}

let current: DetectorWorker | null = null;

/**
 * The faces in an RGB image (3 bytes a pixel), as regions of it in 0..1, largest first: face-api's tiny face
 * detector, run in a worker thread of this process (face-detector.ts says how it reads an image).
 */
export async function detectFaces(
  rgb: Uint8Array,
  width: number,
  height: number,
  options: { minScore?: number } = {},
): Promise<Region[]> {
  if (rgb.length !== width * height * 3)
    throw new Error(`expected ${width}×${height} RGB pixels, got ${rgb.length} bytes`);
  current ??= new DetectorWorker();
  return current.detect({ rgb, width, height, ...options });
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
