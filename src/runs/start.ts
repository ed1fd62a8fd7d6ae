import { createHash } from 'node:crypto';
import { z } from 'zod';
import { getConfig } from '../config.js';
import { AppError } from '../errors.js';
import { runNotFound } from './errors.js';
import { newId } from '../new-id.js';
import { errorFields, log } from '../log.js';
import { hasMedia, requireMedia } from '../media/library.js';
import { onRunEnded } from './ended.js';
import { appendProgress } from '../progress/event-log.js';
import { idSchema } from '../schemas/common.js';
import { isActive } from './lifecycle.js';
import { shotMediaIds, type RunState, type StartRunBody } from '../schemas/run.js';
import { defineDocument, keys, readJSON, UNCHANGED, writeJSON, type Id } from '../storage/index.js';
import { clearActive, markActive } from './active.js';
import { claimRunSlot } from './slots.js';
import { readStoryboard } from './storyboard.js';
import { editedStoryboard } from './edit-source.js';
import { changeRunState, createRunState, readRunState } from './state.js';
import { newRun, toCancelled, withCancelRequest } from './lifecycle.js';
import { triggerPipeline } from './trigger.js';

const idempotencySchema = z.object({ runId: idSchema, bodyHash: z.string(), createdAt: z.string() });
const idempotencyDoc = defineDocument({ name: 'idempotency-key', version: 1, schema: idempotencySchema });

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** JSON with sorted keys, so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function parseIdempotencyKey(header: string | null): string | null {
  if (header === null) return null;
  if (!/^[\x21-\x7e]{1,200}$/.test(header))
    throw new AppError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 200 visible ASCII characters.');
  return header;
}

export interface StartRunResult {
  state: RunState;
  created: boolean;
}

/**
 * Creates a queued run and starts the pipeline. With an Idempotency-Key the key
 * is reserved before the run is created, so a repeated request (same key, same
 * body) gets the same run, and the same key with another body is refused.
 */
export async function startRun(
  projectId: Id,
  body: StartRunBody,
  idempotencyKey: string | null,
  origin: string,
): Promise<StartRunResult> {
  // An edit that cannot apply is refused before anything (an idempotency key included) is stored.
  if (body.editOf && body.edits) await editedStoryboard(projectId, body.editOf, body.edits);
  const runId = newId('r');
  const bodyHash = sha256(canonical(body));
  if (idempotencyKey) {
    const ref = keys.idempotency(projectId, sha256(idempotencyKey).slice(0, 40));
    const reserved = await writeJSON(
      ref,
      idempotencyDoc,
      { runId, bodyHash, createdAt: new Date().toISOString() },
      { onlyIfNew: true },
    );
    if (!reserved) {
      const existing = (await readJSON(ref, idempotencyDoc))!.value;
      if (existing.bodyHash !== bodyHash)
        throw new AppError(
          422,
          'idempotency_key_reused',
          'This Idempotency-Key was already used with a different request body.',
        );
      const state = await readRunState(projectId, existing.runId);
      if (state) return { state, created: false };
      // The first request reserved the key but never created its run: finish the job under its run id.
      return createAndTrigger(projectId, existing.runId, body, origin);
    }
  }
  return createAndTrigger(projectId, runId, body, origin);
}

async function createAndTrigger(projectId: Id, runId: Id, body: StartRunBody, origin: string): Promise<StartRunResult> {
  const mediaIds = body.mediaIds ? [...new Set(body.mediaIds)] : [];
  if (body.storyboardFrom) {
    const storyboard = await readStoryboard(projectId, body.storyboardFrom);
    if (!storyboard)
      throw new AppError(422, 'storyboard_not_found', `Run ${body.storyboardFrom} has no storyboard in this project.`, {
        details: { runId: body.storyboardFrom },
      });
    for (const id of shotMediaIds(storyboard.shots)) {
      await requireMedia(projectId, id).catch(() => {
        throw new AppError(422, 'media_not_found', `Photo ${id} of that storyboard is no longer in this project.`, {
          details: { mediaId: id },
        });
      });
    }
  } else if (mediaIds.length > 0) {
    for (const id of mediaIds) {
      await requireMedia(projectId, id).catch(() => {
        throw new AppError(422, 'media_not_found', `Photo ${id} is not in this project.`, { details: { mediaId: id } });
      });
    }
  } else if (!(await hasMedia(projectId))) {
    throw new AppError(422, 'no_media', 'This project has no photos yet: upload some first.');
  }
  // The slot is taken in the swap that counts them (src/runs/slots.ts); a start that dies before its run exists leaves it to be reclaimed.
  await claimRunSlot(projectId, runId, getConfig().SIRTRAV_MAX_ACTIVE_RUNS);
  const state = newRun({ projectId, runId, request: body, mediaIds });
  // The marker comes first: a run never exists without it, so the watchdog can always find it.
  await markActive(projectId, runId);
  if (!(await createRunState(state))) return { state: (await readRunState(projectId, runId))!, created: false };
  // The run exists now; a lost "queued" event must not turn its start into an error (a retry would make a second run).
  await appendProgress(projectId, runId, {
    agent: 'pipeline',
    status: 'queued',
    progress: 0,
    message: 'run queued',
  }).catch((error) => log.warn('queued event not stored; the run goes on', errorFields(error)));
  try {
    await triggerPipeline(origin, projectId, runId);
  } catch (error) {
    // The run stays queued: the watchdog asks for an invocation once the trigger's grace period has passed.
    log.error('could not start the background function; the watchdog will', errorFields(error));
  }
  return { state, created: true };
}

/**
 * Asks a run to stop. A queued run is cancelled at once; a running one is
 * stopped by its orchestrator, which watches for the request (and kills
 * ffmpeg). A run that is already terminal, or turns terminal while this
 * request is made, gets 409 run_finished and nothing is appended.
 */
export async function cancelRun(projectId: Id, runId: Id): Promise<RunState> {
  const finished = (status: string) =>
    new AppError(409, 'run_finished', `Run ${runId} has already finished (${status}).`, { details: { status } });
  const current = await readRunState(projectId, runId);
  if (!current) throw runNotFound(projectId, runId);
  if (!isActive(current)) throw finished(current.status);
  const { state, changed } = await changeRunState(projectId, runId, (state) =>
    state.status === 'queued' ? toCancelled(state) : state.cancelRequested ? UNCHANGED : withCancelRequest(state),
  );
  if (!isActive(state) && !changed) throw finished(state.status);
  if (!changed) return state;
  if (state.status === 'cancelled') {
    // Settled here (terminal event, then the active marker); a crash in between is settled by the watchdog.
    await appendProgress(projectId, runId, {
      agent: 'pipeline',
      status: 'cancelled',
      progress: 0,
      message: 'run cancelled before it started',
    });
    await onRunEnded(state);
    await clearActive(projectId, runId);
  } else
    await appendProgress(projectId, runId, {
      agent: 'pipeline',
      status: 'cancelling',
      progress: 0,
      message: 'cancel requested',
    });
  return state;
}
