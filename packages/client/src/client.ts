import type { z } from 'zod';
import { archivedRunResponseSchema, type ArchivedRun } from '../../../src/schemas/archive.js';
import { healthSchema, type Health } from '../../../src/schemas/health.js';
import {
  completeUploadResponseSchema,
  DIRECT_UPLOAD_LIMIT,
  mediaListResponseSchema,
  startUploadResponseSchema,
  type Media,
} from '../../../src/schemas/media.js';
import {
  evaluationSchema,
  memoryIndexSchema,
  type Evaluation,
  type MemoryIndex,
  type Rating,
} from '../../../src/schemas/memory.js';
import { createProjectResponseSchema } from '../../../src/schemas/project.js';
import {
  cancelRunResponseSchema,
  runLinksSchema,
  runListResponseSchema,
  runStateResponseSchema,
  startRunResponseSchema,
  type RunState,
  type RunSummary,
  type StartRunBody,
} from '../../../src/schemas/run.js';
import { apiError, ProgressStreamError } from './errors.js';
import {
  progressUpdates,
  type FollowProgressOptions,
  type ProgressStreamOptions,
  type ProgressUpdate,
} from './follow-progress.js';
import { rangedParts, readAll, streamOf } from './ranges.js';
import { runToPlan, runToVideo, type FinishedRun, type PlannedRun, type ProjectRunOptions } from './run-to-video.js';

/** GET …/runs/{runId}: an archived run (its documents expired, its record kept) or a live one. */
const runResponseSchema = archivedRunResponseSchema.or(runStateResponseSchema);

export type RunLinks = z.infer<typeof runLinksSchema>;
export type CreatedProject = z.infer<typeof createProjectResponseSchema>;

/** Parts in flight at once in a chunked upload. */
const UPLOAD_CONCURRENCY = 3;

export interface SirTravClientOptions {
  /** e.g. http://localhost:8888 */
  baseUrl: string;
  /** A project token or the admin token; not needed when auth is off. */
  token?: string;
  fetch?: typeof fetch;
}

/** A typed client for the whole SirTrav API; response shapes are checked with the service's own zod schemas. */
export class SirTravClient {
  protected readonly baseUrl: string;
  protected readonly token: string | undefined;
  protected readonly doFetch: typeof fetch;

  constructor(options: SirTravClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    this.token = options.token;
    this.doFetch = options.fetch ?? fetch;
  }

  protected headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  protected async request<S extends z.ZodType>(
    schema: S | null,
    method: string,
    path: string,
    init: { json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {},
  ): Promise<z.infer<S>> {
    const headers = this.headers({
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    });
    const response = await this.doFetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(init.json !== undefined
        ? { body: JSON.stringify(init.json) }
        : init.body !== undefined
          ? { body: init.body }
          : {}),
    });
    if (!response.ok) throw await apiError(response);
    if (!schema) return undefined as z.infer<S>;
    return schema.parse(response.status === 204 ? undefined : await response.json());
  }

  health(): Promise<Health> {
    return this.request(healthSchema, 'GET', '/api/health');
  }

  /** Needs the admin token when auth is on. The project's token and webhook secret are returned here only. */
  createProject(name?: string): Promise<CreatedProject> {
    return this.request(createProjectResponseSchema, 'POST', '/api/projects', { json: name ? { name } : {} });
  }

  /** A client for one project, with its token. */
  forProject(projectId: string, token = this.token): ProjectClient {
    return new ProjectClient(this.baseUrl, projectId, token, this.doFetch);
  }
}

export class ProjectClient extends SirTravClient {
  constructor(
    baseUrl: string,
    readonly projectId: string,
    token: string | undefined,
    fetchImpl: typeof fetch,
  ) {
    super({ baseUrl, ...(token ? { token } : {}), fetch: fetchImpl });
  }

  private path(suffix: string): string {
    return `/api/projects/${encodeURIComponent(this.projectId)}${suffix}`;
  }

  private runPath(runId: string, suffix = ''): string {
    return this.path(`/runs/${encodeURIComponent(runId)}${suffix}`);
  }

  /**
   * Uploads photos, starts a run of them, follows it to its end and hands back
   * the video as a stream fetched in ranges (any size; one range in memory at
   * a time). A failed or cancelled run rejects with `RunFailedError`; aborting
   * `signal` cancels the run and rejects with the signal's reason.
   */
  run(options: ProjectRunOptions): Promise<FinishedRun> {
    return runToVideo(this, options);
  }

  /**
   * Uploads photos and makes only their plan (`planOnly`: director, voice and
   * music, no frame encoded), followed to its end: the storyboard to show or
   * edit before anything is rendered, with its narration and soundtrack
   * (`GET …/audio/{voice|music}`). `startRun({ editOf, edits })` then renders
   * it, changed or not.
   */
  plan(options: ProjectRunOptions): Promise<PlannedRun> {
    return runToPlan(this, options);
  }

  /**
   * Uploads one photo: directly up to 4 MiB, in parts (three at a time) above
   * that. Uploading the same bytes again returns the stored photo.
   */
  async uploadPhoto(bytes: Uint8Array, filename = 'photo.jpg'): Promise<Media> {
    if (bytes.byteLength <= DIRECT_UPLOAD_LIMIT) {
      const { media } = await this.request(mediaListResponseSchema, 'POST', this.path('/media'), {
        body: bytes as BodyInit,
        headers: { 'content-type': 'application/octet-stream', 'x-filename': encodeURIComponent(filename) },
      });
      return media[0]!;
    }
    const sha256 = await sha256Hex(bytes);
    const session = await this.request(startUploadResponseSchema, 'POST', this.path('/uploads'), {
      json: { filename, bytes: bytes.byteLength, sha256 },
    });
    const parts = [...Array(session.partCount).keys()];
    const send = async () => {
      for (let n = parts.shift(); n !== undefined; n = parts.shift()) {
        await this.request(null, 'PUT', this.path(`/uploads/${session.uploadId}/parts/${n}`), {
          body: bytes.subarray(n * session.partSize, (n + 1) * session.partSize) as BodyInit,
          headers: { 'content-type': 'application/octet-stream' },
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, session.partCount) }, send));
    const { media } = await this.request(
      completeUploadResponseSchema,
      'POST',
      this.path(`/uploads/${session.uploadId}/complete`),
    );
    return media;
  }

  async listMedia(): Promise<Media[]> {
    return (await this.request(mediaListResponseSchema, 'GET', this.path('/media'))).media;
  }

  async deleteMedia(mediaId: string): Promise<void> {
    await this.request(null, 'DELETE', this.path(`/media/${encodeURIComponent(mediaId)}`));
  }

  startRun(
    body: StartRunBody = {},
    options: { idempotencyKey?: string } = {},
  ): Promise<{ runId: string; status: string; links: RunLinks }> {
    return this.request(startRunResponseSchema, 'POST', this.path('/runs'), {
      json: body,
      ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
    });
  }

  /** The run's state; once retention has removed its documents, the run as its archive record tells it (`archived: true`). */
  getRun(runId: string): Promise<RunState | ArchivedRun> {
    return this.request(runResponseSchema, 'GET', this.runPath(runId));
  }

  async listRuns(): Promise<RunSummary[]> {
    return (await this.request(runListResponseSchema, 'GET', this.path('/runs'))).runs;
  }

  async cancelRun(runId: string): Promise<void> {
    await this.request(cancelRunResponseSchema, 'POST', this.runPath(runId, '/cancel'));
  }

  /**
   * The run's progress as an async iterator, resuming across the server's
   * stream windows with `Last-Event-ID`; the last update is `done` with the
   * run as it ended (the iteration ends early, without `done`, only when aborted).
   */
  async *progress(
    runId: string,
    options: Omit<ProgressStreamOptions, 'headers' | 'fetch'> = {},
  ): AsyncGenerator<ProgressUpdate, void, undefined> {
    const url = `${this.baseUrl}${this.runPath(runId, '/progress')}`;
    for await (const update of progressUpdates(url, { ...options, headers: this.headers(), fetch: this.doFetch })) {
      yield update;
      if (update.type === 'done') return;
    }
    if (options.signal?.aborted) return;
    // The run had ended before the stream was opened and its state could not be read: say why.
    const state = await this.getRun(runId);
    if ('archived' in state)
      throw new ProgressStreamError(`Run ${runId} is archived: its progress is no longer kept.`, null, state);
    yield { type: 'done', run: state };
  }

  /** Follows the run's progress (see `progress`) with callbacks; resolves with the final state. */
  async follow(runId: string, options: Omit<FollowProgressOptions, 'headers' | 'fetch'>): Promise<RunState> {
    for await (const update of this.progress(runId, options)) {
      if (update.type === 'progress') options.onEvent(update.event);
      else if (update.type === 'snapshot') options.onSnapshot?.(update.run);
      else return update.run;
    }
    throw options.signal?.reason ?? new ProgressStreamError(`Following run ${runId} stopped before it ended.`, null);
  }

  /** The video, fetched in ranges: any size, each response inside the platform's response limit. */
  async downloadVideo(runId: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    return readAll(this.rangedParts(this.runPath(runId, '/video'), options.signal));
  }

  /** The video as a stream that fetches the next range only as it is read: any size, one range in memory at a time. */
  streamVideo(runId: string, options: { signal?: AbortSignal } = {}): ReadableStream<Uint8Array> {
    return streamOf(this.rangedParts(this.runPath(runId, '/video'), options.signal));
  }

  /** A photo's original bytes, fetched in ranges like videos. */
  downloadPhoto(mediaId: string): Promise<Uint8Array> {
    return readAll(this.rangedParts(this.path(`/media/${encodeURIComponent(mediaId)}`)));
  }

  private rangedParts(path: string, signal?: AbortSignal) {
    return rangedParts(`${this.baseUrl}${path}`, {
      headers: this.headers(),
      fetch: this.doFetch,
      ...(signal ? { signal } : {}),
    });
  }

  rate(runId: string, rating: Rating, comment?: string): Promise<Evaluation> {
    return this.request(evaluationSchema, 'POST', this.runPath(runId, '/evaluation'), {
      json: comment === undefined ? { rating } : { rating, comment },
    });
  }

  memory(): Promise<MemoryIndex> {
    return this.request(memoryIndexSchema, 'GET', this.path('/memory'));
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
