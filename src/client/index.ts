import type { z } from 'zod';
import { errorBodySchema } from '../schemas/error.js';
import { healthSchema, type Health } from '../schemas/health.js';
import { evaluationSchema, memoryIndexSchema, type Evaluation, type MemoryIndex, type Rating } from '../schemas/memory.js';
import { completeUploadResponseSchema, DIRECT_UPLOAD_LIMIT, mediaListResponseSchema, startUploadResponseSchema, type Media } from '../schemas/media.js';
import { createProjectResponseSchema } from '../schemas/project.js';
import { archivedRunResponseSchema, type ArchivedRun } from '../schemas/archive.js';
import {
  cancelRunResponseSchema,
  runLinksSchema,
  runListResponseSchema,
  runStateResponseSchema,
  startRunResponseSchema,
  type RunState,
  type RunSummary,
  type StartRunBody,
} from '../schemas/run.js';
import type { ProgressEvent } from '../schemas/progress.js';
import { followProgress, ProgressStreamError, type FollowProgressOptions } from './follow-progress.js';

export { followProgress, ProgressStreamError, type FollowProgressOptions } from './follow-progress.js';
export type { ArchivedRun, Health, Media, MemoryIndex, Evaluation, Rating, RunState, RunSummary, StartRunBody, ProgressEvent };

/** GET …/runs/{runId}: an archived run (its documents expired, its record kept) or a live one. */
const runResponseSchema = archivedRunResponseSchema.or(runStateResponseSchema);

/** Bytes asked for per request: the server's per-response maximum (16 MiB). */
const RANGE_BYTES = 16 * 1024 * 1024;

/** An API error, as API.md shapes it: status, code, message, details, the request id, and whether a retry can help. */
export class SirTravApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'SirTravApiError';
  }
}

/** The error a failed response stands for, read with the service's own error schema. */
async function apiError(response: Response): Promise<SirTravApiError> {
  const parsed = errorBodySchema.safeParse(await response.json().catch(() => null));
  const requestId = response.headers.get('x-request-id') ?? undefined;
  if (!parsed.success)
    return new SirTravApiError(
      response.status,
      'http_error',
      `HTTP ${response.status}`,
      undefined,
      requestId,
      response.status >= 500 || response.status === 429,
    );
  const { code, message, details, retryable } = parsed.data.error;
  return new SirTravApiError(response.status, code, message, details, parsed.data.error.requestId ?? requestId, retryable ?? false);
}

export interface SirTravClientOptions {
  /** e.g. http://localhost:8888 */
  baseUrl: string;
  /** A project token or the admin token; not needed when auth is off. */
  token?: string;
  fetch?: typeof fetch;
}

export type RunLinks = z.infer<typeof runLinksSchema>;

/** Parts in flight at once in a chunked upload. */
const UPLOAD_CONCURRENCY = 3;

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
    const headers = this.headers({ ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers });
    const response = await this.doFetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : init.body !== undefined ? { body: init.body } : {}),
    });
    if (!response.ok) throw await apiError(response);
    if (!schema) return undefined as z.infer<S>;
    return schema.parse(response.status === 204 ? undefined : await response.json());
  }

  health(): Promise<Health> {
    return this.request(healthSchema, 'GET', '/api/health');
  }

  /** Needs the admin token when auth is on. */
  createProject(name?: string): Promise<{ projectId: string; token: string }> {
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
    const session = await this.request(startUploadResponseSchema, 'POST', this.path('/uploads'), { json: { filename, bytes: bytes.byteLength, sha256 } });
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
    const { media } = await this.request(completeUploadResponseSchema, 'POST', this.path(`/uploads/${session.uploadId}/complete`));
    return media;
  }

  async listMedia(): Promise<Media[]> {
    return (await this.request(mediaListResponseSchema, 'GET', this.path('/media'))).media;
  }

  async deleteMedia(mediaId: string): Promise<void> {
    await this.request(null, 'DELETE', this.path(`/media/${encodeURIComponent(mediaId)}`));
  }

  startRun(body: StartRunBody = {}, options: { idempotencyKey?: string } = {}): Promise<{ runId: string; status: string; links: RunLinks }> {
    return this.request(startRunResponseSchema, 'POST', this.path('/runs'), {
      json: body,
      ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
    });
  }

  /** The run's state; once retention has removed its documents, the run as its archive record tells it (`archived: true`). */
  getRun(runId: string): Promise<RunState | ArchivedRun> {
    return this.request(runResponseSchema, 'GET', this.path(`/runs/${encodeURIComponent(runId)}`));
  }

  async listRuns(): Promise<RunSummary[]> {
    return (await this.request(runListResponseSchema, 'GET', this.path('/runs'))).runs;
  }

  async cancelRun(runId: string): Promise<void> {
    await this.request(cancelRunResponseSchema, 'POST', this.path(`/runs/${encodeURIComponent(runId)}/cancel`));
  }

  /** Follows the run's progress over SSE (resuming across reconnects) until it ends; resolves with the final state. */
  async follow(runId: string, options: Omit<FollowProgressOptions, 'headers' | 'fetch'>): Promise<RunState> {
    const url = `${this.baseUrl}${this.path(`/runs/${encodeURIComponent(runId)}/progress`)}`;
    const final = await followProgress(url, { ...options, headers: this.headers(), fetch: this.doFetch });
    if (final) return final;
    const state = await this.getRun(runId);
    if ('archived' in state) throw new ProgressStreamError(`Run ${runId} is archived: its progress is no longer kept.`, null, state);
    return state;
  }

  /** The video, fetched in ranges: any size, each response inside the platform's response limit. */
  downloadVideo(runId: string): Promise<Uint8Array> {
    return this.downloadInRanges(`${this.baseUrl}${this.path(`/runs/${encodeURIComponent(runId)}/video`)}`);
  }

  /** A photo's original bytes, fetched in ranges like videos. */
  downloadPhoto(mediaId: string): Promise<Uint8Array> {
    return this.downloadInRanges(`${this.baseUrl}${this.path(`/media/${encodeURIComponent(mediaId)}`)}`);
  }

  /**
   * GETs `url` one range at a time (the server answers at most RANGE_BYTES a
   * response; Content-Range names the total) and joins the parts.
   */
  private async downloadInRanges(url: string): Promise<Uint8Array> {
    const parts: Uint8Array<ArrayBuffer>[] = [];
    let received = 0;
    let total = Number.POSITIVE_INFINITY;
    while (received < total) {
      const response = await this.doFetch(url, { headers: { ...this.headers(), range: `bytes=${received}-${received + RANGE_BYTES - 1}` } });
      if (response.status !== 206 && response.status !== 200) throw await apiError(response);
      const part = new Uint8Array(await response.arrayBuffer());
      if (response.status === 200) return part;
      const contentRange = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
      if (!contentRange || Number(contentRange[1]) !== received || part.byteLength !== Number(contentRange[2]) - received + 1) {
        throw new SirTravApiError(
          response.status,
          'bad_range_response',
          `Unexpected range answer "${response.headers.get('content-range')}" at byte ${received}.`,
        );
      }
      total = Number(contentRange[3]);
      parts.push(part);
      received += part.byteLength;
    }
    return new Uint8Array(await new Blob(parts).arrayBuffer());
  }

  rate(runId: string, rating: Rating, comment?: string): Promise<Evaluation> {
    return this.request(evaluationSchema, 'POST', this.path(`/runs/${encodeURIComponent(runId)}/evaluation`), {
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
