import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** What a file of the original SirTrav layout is, by its path. */
export type LegacyPiece =
  | { kind: 'state'; runId: string }
  | { kind: 'video'; runId: string }
  | { kind: 'audio'; runId: string; role: 'voice' | 'music'; ext: 'wav' | 'mp3' }
  | { kind: 'photo'; runId: string | null }
  | { kind: 'rating'; runId: string }
  | { kind: 'ratings' }
  | { kind: 'unknown'; reason: string };

const PHOTO = /\.(jpe?g|png|webp|avif|heic|heif)$/i;
const AUDIO_ROLE: Record<string, 'voice' | 'music'> = {
  voice: 'voice',
  narration: 'voice',
  music: 'music',
  soundtrack: 'music',
};
const FLAT_MEMORY = new Set(['memory_index.json', 'memory.json', 'evaluations.json']);

/** A file under a run folder: `sirtrav-runs/{r}/…`-style store folders, or `/tmp/{r}/…` (also below a `tmp/` folder). */
function runFile(runId: string, rest: string[]): LegacyPiece {
  const name = rest.join('/');
  if (name === 'state.json') return { kind: 'state', runId };
  if (/^(final|output|video)\.mp4$/.test(name)) return { kind: 'video', runId };
  if (name === 'evaluation.json') return { kind: 'rating', runId };
  const audio = /^(voice|narration|music|soundtrack)\.(wav|mp3)$/.exec(name);
  if (audio) return { kind: 'audio', runId, role: AUDIO_ROLE[audio[1]!]!, ext: audio[2] as 'wav' | 'mp3' };
  if (rest.length === 2 && /^(photos|images|uploads)$/.test(rest[0]!)) return { kind: 'photo', runId };
  return { kind: 'unknown', reason: 'not a file the original SirTrav kept for a run' };
}

export function classify(path: string): LegacyPiece {
  const parts = path.split('/');
  const [top, ...rest] = parts;
  if (parts.length === 1)
    return FLAT_MEMORY.has(top!) ? { kind: 'ratings' } : { kind: 'unknown', reason: 'not part of the SirTrav layout' };
  switch (top) {
    case 'sirtrav-runs':
      return rest.length === 2 && rest[1] === 'state.json'
        ? { kind: 'state', runId: rest[0]! }
        : { kind: 'unknown', reason: 'sirtrav-runs holds {runId}/state.json only' };
    case 'sirtrav-videos':
      return rest.length === 2 && rest[1] === 'final.mp4'
        ? { kind: 'video', runId: rest[0]! }
        : { kind: 'unknown', reason: 'sirtrav-videos holds {runId}/final.mp4 only' };
    case 'sirtrav-audio':
      return rest.length === 2
        ? runFile(rest[0]!, [rest[1]!])
        : { kind: 'unknown', reason: 'sirtrav-audio holds {runId}/voice.* and music.* only' };
    case 'sirtrav-evals':
      if (rest.length === 1 && FLAT_MEMORY.has(rest[0]!)) return { kind: 'ratings' };
      return rest.length === 2 && rest[1] === 'evaluation.json'
        ? { kind: 'rating', runId: rest[0]! }
        : { kind: 'unknown', reason: 'sirtrav-evals holds memory_index.json and {runId}/evaluation.json only' };
    case 'sirtrav-media':
      return PHOTO.test(path)
        ? { kind: 'photo', runId: null }
        : { kind: 'unknown', reason: 'not a photo (by its name)' };
    case 'sirtrav-progress':
      return { kind: 'unknown', reason: 'legacy progress logs are not carried over: a run keeps its final state' };
    case 'tmp':
      return rest.length >= 2
        ? runFile(rest[0]!, rest.slice(1))
        : { kind: 'unknown', reason: 'not inside a run folder' };
    default:
      return runFile(top!, rest);
  }
}

/** Every file below `directory`, as sorted `/`-separated relative paths. */
export async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}
