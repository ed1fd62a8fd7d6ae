import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.js';
import { newId } from '../new-id.js';
import { settleMemoryIndex } from '../learning/memory.js';
import { examinePhoto, storePhoto } from '../media/library.js';
import { createProject, requireProject } from '../projects/index.js';
import { createRunState } from '../runs/index.js';
import {
  legacyEntriesSchema,
  legacyRatingSchema,
  legacyStateSchema,
  type LegacyEntry,
  type LegacyState,
} from '../schemas/legacy.js';
import type { RunState } from '../schemas/run.js';
import { isId, keys, openStore, putBinary, putVideo, STORE_NAMES, type BlobRef, type Id } from '../storage/index.js';
import { convertState, probeVideo, type VideoFacts } from './legacy-run.js';
import { classify, listFiles, type LegacyPiece } from './legacy-scan.js';
import { silentProgress, type ProgressReporter } from './progress-reporter.js';

export interface LegacyReportLine {
  file: string;
  action: 'taken' | 'converted' | 'refused';
  /** Where it went: `store/key`. */
  to?: string;
  reason: string;
}

export interface LegacyReport {
  projectId: Id;
  files: LegacyReportLine[];
  counts: { taken: number; converted: number; refused: number };
}

const where = (ref: BlobRef) => `${STORE_NAMES[ref.store]}/${ref.key}`;

interface Piece {
  file: string;
  piece: LegacyPiece;
}

async function runIdTaken(projectId: Id, runId: Id): Promise<boolean> {
  if ((await openStore('videos').list({ prefix: `${runId}/` })).blobs.length > 0) return true;
  if (await openStore('evals').getMetadata(keys.evaluation(runId).key)) return true;
  return (await openStore('runs').getMetadata(keys.runState(projectId, runId).key)) !== null;
}

/**
 * Imports the original SirTrav layout (store folders like `.local-blobs`, or
 * `/tmp/{runId}/…` run folders) into one project: photos into the media store,
 * videos and audio as they are, run states and ratings converted to today's
 * documents, the flat memory array through the learning loop's own migration.
 * Every file gets a line in the report: taken, converted or refused, and why.
 */
export async function importLegacy(
  directory: string,
  options: { projectId?: Id; progress?: ProgressReporter } = {},
): Promise<LegacyReport> {
  const progress = options.progress ?? silentProgress;
  const projectId = options.projectId
    ? (await requireProject(options.projectId)).projectId
    : (await createProject('Imported from the original SirTrav')).projectId;
  const pieces: Piece[] = (await listFiles(directory)).map((file) => ({ file, piece: classify(file) }));
  const lines = new Map<string, LegacyReportLine>();
  const note = (file: string, action: LegacyReportLine['action'], reason: string, to?: BlobRef) =>
    lines.set(file, { file, action, ...(to ? { to: where(to) } : {}), reason });
  const read = (file: string) => readFile(join(directory, file));
  let done = 0;
  progress.start('import-legacy', pieces.length);
  const tick = () => progress.update(++done, 0);

  // Run ids: kept when valid and free, else new; only runs with a state.json exist.
  const runIds = new Map<string, Id>();
  for (const { piece } of pieces) {
    if (piece.kind !== 'state' || !isId(piece.runId) || runIds.has(piece.runId)) continue;
    runIds.set(piece.runId, (await runIdTaken(projectId, piece.runId)) ? newId('r') : piece.runId);
  }
  const runOf = (legacy: string): Id | null => runIds.get(legacy) ?? null;
  const renamed = (legacy: string) =>
    runOf(legacy) !== legacy ? ` (run ${legacy} is now ${runOf(legacy)}: its id was taken)` : '';
  const noRun = (legacy: string) =>
    isId(legacy) ? `run ${legacy} has no state.json` : `${JSON.stringify(legacy)} is not a valid run id`;
  const ofKind = <K extends LegacyPiece['kind']>(kind: K) =>
    pieces.filter((p): p is { file: string; piece: Extract<LegacyPiece, { kind: K }> } => p.piece.kind === kind);
  /** Pieces with the run each belongs to, counted as they go; one of a run without a state.json is refused. */
  function* ofKnownRun<P extends { runId: string }>(
    found: Array<{ file: string; piece: P }>,
  ): Generator<{ file: string; piece: P; run: Id }> {
    for (const { file, piece } of found) {
      tick();
      const run = runOf(piece.runId);
      if (run) yield { file, piece, run };
      else note(file, 'refused', noRun(piece.runId));
    }
  }

  // Photos, first seen first kept; a run's photos become its mediaIds.
  const runMedia = new Map<Id, Id[]>();
  const seen = new Map<string, string>();
  for (const { file, piece } of ofKind('photo')) {
    tick();
    try {
      const { media } = await storePhoto(
        projectId,
        await examinePhoto(new Uint8Array(await read(file)), file.split('/').pop()),
      );
      const run = piece.runId ? runOf(piece.runId) : null;
      if (run) runMedia.set(run, [...new Set([...(runMedia.get(run) ?? []), media.mediaId])]);
      const first = seen.get(media.mediaId);
      seen.set(media.mediaId, first ?? file);
      note(
        file,
        'taken',
        first ? `same photo as ${first}` : `photo ${media.width}×${media.height} ${media.contentType}`,
        keys.media(projectId, media.mediaId),
      );
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      note(file, 'refused', error.message);
    }
  }

  // Videos: only a playable MP4 of a known run.
  const videos = new Map<Id, VideoFacts>();
  for (const { file, piece, run } of ofKnownRun(ofKind('video'))) {
    const bytes = new Uint8Array(await read(file));
    const facts = await probeVideo(bytes);
    if (!facts) {
      note(file, 'refused', 'not a playable video');
      continue;
    }
    const ref = keys.video(run);
    await putVideo({
      runId: run,
      bytes,
      metadata: { contentType: 'video/mp4', runId: run, projectId, ...facts, createdAt: new Date().toISOString() },
    });
    videos.set(run, facts);
    note(
      file,
      'taken',
      `video ${facts.width}×${facts.height}, ${facts.durationSec.toFixed(2)} s${renamed(piece.runId)}`,
      ref,
    );
  }

  // Run states, converted: a run that was still going when the old app stopped did not finish.
  const states = new Map<Id, RunState>();
  for (const { file, piece, run } of ofKnownRun(ofKind('state'))) {
    let legacy: LegacyState;
    try {
      legacy = legacyStateSchema.parse(JSON.parse((await read(file)).toString('utf8')));
    } catch {
      note(file, 'refused', 'not a JSON run state');
      continue;
    }
    const state = convertState(
      legacy,
      projectId,
      run,
      runMedia.get(run) ?? [],
      videos.get(run),
      [...seen.keys()].filter(isId),
    );
    await createRunState(state);
    states.set(run, state);
    note(
      file,
      'converted',
      `status ${legacy.status ?? '(none)'} → ${state.status}${state.status === 'failed' ? ` (${state.error.code})` : ''}${renamed(piece.runId)}`,
      keys.runState(projectId, run),
    );
  }

  for (const { file, piece, run } of ofKnownRun(ofKind('audio'))) {
    const ref = piece.role === 'voice' ? keys.voice(projectId, run, piece.ext) : keys.music(projectId, run, piece.ext);
    await putBinary(ref, new Uint8Array(await read(file)), {
      contentType: piece.ext === 'wav' ? 'audio/wav' : 'audio/mpeg',
      provider: 'legacy',
      createdAt: new Date().toISOString(),
    });
    note(file, 'taken', `${piece.role} track${renamed(piece.runId)}`, ref);
  }

  await importRatings(
    projectId,
    { ratings: ofKind('rating'), flat: ofKind('ratings') },
    { read, note, tick, runOf, noRun, states },
  );

  for (const { file, piece } of pieces) {
    if (piece.kind !== 'unknown') continue;
    tick();
    note(file, 'refused', piece.reason);
  }
  progress.stop();
  const files = [...lines.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
  const count = (action: LegacyReportLine['action']) => files.filter((line) => line.action === action).length;
  return {
    projectId,
    files,
    counts: { taken: count('taken'), converted: count('converted'), refused: count('refused') },
  };
}

interface RatingContext {
  read: (file: string) => Promise<Buffer>;
  note: (file: string, action: LegacyReportLine['action'], reason: string, to?: BlobRef) => void;
  tick: () => void;
  runOf: (legacy: string) => Id | null;
  noRun: (legacy: string) => string;
  states: Map<Id, RunState>;
}

/**
 * Ratings (per-run evaluation.json files and flat memory arrays) become one
 * flat array at the memory index's key, which the learning loop's own legacy
 * migration then turns into evaluations and a memory index of today's shape.
 */
async function importRatings(
  projectId: Id,
  files: { ratings: Array<{ file: string; piece: { runId: string } }>; flat: Array<{ file: string }> },
  context: RatingContext,
): Promise<void> {
  const entries: LegacyEntry[] = [];
  for (const { file, piece } of files.ratings) {
    context.tick();
    const run = context.runOf(piece.runId);
    const state = run ? context.states.get(run) : undefined;
    if (!run || !state) {
      context.note(file, 'refused', context.noRun(piece.runId));
      continue;
    }
    if (state.status !== 'complete') {
      context.note(file, 'refused', `run ${run} is ${state.status}; only a complete run can be rated`);
      continue;
    }
    const parsed = legacyRatingSchema.safeParse(parseJson(await context.read(file)));
    if (!parsed.success) {
      context.note(file, 'refused', 'not a JSON rating');
      continue;
    }
    entries.push({
      runId: run,
      rating: parsed.data.rating,
      theme: state.storyboard.theme,
      mood: state.storyboard.mood,
      musicStyle: state.storyboard.musicStyle,
      durationSec: state.storyboard.durationSec,
      timestamp: state.updatedAt,
    });
    context.note(file, 'converted', `rating ${String(parsed.data.rating)} → evaluation`, keys.evaluation(run));
  }
  for (const { file } of files.flat) {
    context.tick();
    const parsed = legacyEntriesSchema.safeParse(parseJson(await context.read(file)));
    if (!parsed.success) {
      context.note(file, 'refused', 'not a flat array of ratings');
      continue;
    }
    const kept = parsed.data.flatMap((entry) => {
      const run = entry.runId ? context.runOf(entry.runId) : null;
      return run && context.states.get(run)?.status === 'complete' ? [{ ...entry, runId: run }] : [];
    });
    entries.push(...kept);
    const left = parsed.data.length - kept.length;
    context.note(
      file,
      'converted',
      `flat memory array: ${kept.length} rating(s) → evaluations and memory_index.json${left ? `; ${left} left out (no complete run of this import)` : ''}`,
      keys.memoryIndex(projectId),
    );
  }
  if (entries.length === 0) return;
  // Stored bare, as the original app did; settling the index migrates it (src/learning/memory.ts).
  await openStore('evals').set(keys.memoryIndex(projectId).key, JSON.stringify(entries));
  await settleMemoryIndex(projectId);
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
