import { narrationTimingDoc } from '../captions/index.js';
import { memoryIndexDoc, pendingDoc } from '../learning/memory.js';
import { usageDoc } from '../media/usage.js';
// Straight from the modules: the pipeline's index reaches the renderer, which the API function does not carry.
import { failureIndexDoc } from '../pipeline/failures.js';
import { segmentPlanDoc, segmentStatusDoc } from '../pipeline/segments/status.js';
import { failureDoc } from '../failures/episodes.js';
import { progressLogDoc } from '../progress/event-log.js';
import { projectInfoDoc } from '../projects/index.js';
import { archiveDoc, pictureLayoutDoc, runStateDoc, storyboardDoc } from '../runs/index.js';
import { evaluationDoc } from '../learning/evaluation-doc.js';
import { deliveryDoc } from '../webhooks/outbox.js';
import { ID_CHARS } from '../schemas/common.js';
import type { ExportManifest, ManifestBlob } from '../schemas/portability.js';
import { isId, keys, type BlobRef, type DocumentType, type Id } from '../storage/index.js';
import { ImportRefusedError } from './archive-reader.js';
import { entryName, storeIdOf } from './layout.js';

/**
 * What an archive may hold: exactly the kinds of blob a project is made of,
 * each at the key its key builder gives, with that key's size limit and, for a
 * document, its type (decoded and validated like any write). Anything else —
 * a webhook secret, a lease, another project's key — is refused.
 */
export interface BlobKind {
  ref: BlobRef;
  /** Present for a JSON document; binaries (photos, audio, video) have none. */
  doc: DocumentType<unknown> | null;
  /** The run the blob belongs to, if any (it must be one of the manifest's runs). */
  runId: Id | null;
}

type Ids = { p: Id; r: Id; x: string };
interface Pattern {
  store: ManifestBlob['store'];
  /** Named groups p (project), r (run) and x (any other part) are turned back into a key by `ref`. */
  key: RegExp;
  ref: (ids: Ids) => BlobRef;
  doc?: DocumentType<unknown>;
}

const I = ID_CHARS;
const pattern = (
  store: Pattern['store'],
  source: string,
  ref: Pattern['ref'],
  doc?: DocumentType<unknown>,
): Pattern => ({
  store,
  key: new RegExp(`^${source}$`),
  ref,
  ...(doc ? { doc } : {}),
});
const project = `projects/(?<p>${I})`;
const run = `${project}/runs/(?<r>${I})`;

const PATTERNS: Pattern[] = [
  pattern(
    'sirtrav-runs',
    `${project}/project\\.json`,
    ({ p }) => keys.projectInfo(p),
    projectInfoDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-runs',
    `${project}/failures\\.json`,
    ({ p }) => keys.failureIndex(p),
    failureIndexDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-runs',
    `${run}/state\\.json`,
    ({ p, r }) => keys.runState(p, r),
    runStateDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-runs',
    `${run}/storyboard\\.json`,
    ({ p, r }) => keys.runStoryboard(p, r),
    storyboardDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-runs',
    `${run}/failure\\.json`,
    ({ p, r }) => keys.runFailure(p, r),
    failureDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-runs',
    `${run}/webhook\\.json`,
    ({ p, r }) => keys.runWebhook(p, r),
    deliveryDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-runs',
    `${run}/narration\\.json`,
    ({ p, r }) => keys.runNarration(p, r),
    narrationTimingDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-runs',
    `${run}/picture-layout\\.json`,
    ({ p, r }) => keys.runPictureLayout(p, r),
    pictureLayoutDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-runs',
    `${run}/segments/plan\\.json`,
    ({ p, r }) => keys.segmentPlan(p, r),
    segmentPlanDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-runs',
    `${run}/segments/(?<x>\\d{2})/status\\.json`,
    ({ p, r, x }) => keys.segmentStatus(p, r, Number(x)),
    segmentStatusDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-runs',
    `archive/(?<p>${I})/(?<r>${I})\\.json`,
    ({ p, r }) => keys.archive(p, r),
    archiveDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-progress',
    `${run}/progress\\.json`,
    ({ p, r }) => keys.progress(p, r),
    progressLogDoc as DocumentType<unknown>,
  ),
  pattern('sirtrav-media', `${project}/media/(?<x>${I})`, ({ p, x }) => keys.media(p, x as Id)),
  pattern(
    'sirtrav-media',
    `${project}/media_usage\\.json`,
    ({ p }) => keys.mediaUsage(p),
    usageDoc as DocumentType<unknown>,
  ),
  pattern('sirtrav-audio', `${run}/voice\\.(?<x>[a-z0-9]{1,5})`, ({ p, r, x }) => keys.voice(p, r, x)),
  pattern('sirtrav-audio', `${run}/music\\.(?<x>[a-z0-9]{1,5})`, ({ p, r, x }) => keys.music(p, r, x)),
  pattern('sirtrav-videos', `(?<r>${I})/final\\.mp4`, ({ r }) => keys.video(r)),
  pattern('sirtrav-videos', `(?<r>${I})/poster\\.jpg`, ({ r }) => keys.poster(r)),
  // A video's pieces (src/storage/chunked.ts): x is `{generation}/{n}`.
  pattern('sirtrav-videos', `(?<r>${I})/final-pieces/(?<x>[0-9a-f]{16}/\\d{4})`, ({ r, x }) => {
    const [generation, n] = x.split('/');
    return keys.videoPiece(r, generation!, Number(n));
  }),
  pattern('sirtrav-videos', `(?<r>${I})/segments/(?<x>\\d{2})\\.mp4`, ({ r, x }) => keys.segmentVideo(r, Number(x))),
  pattern(
    'sirtrav-evals',
    `(?<r>${I})/evaluation\\.json`,
    ({ r }) => keys.evaluation(r),
    evaluationDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-evals',
    `${project}/memory_index\\.json`,
    ({ p }) => keys.memoryIndex(p),
    memoryIndexDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-evals',
    `${project}/memory_index\\.backup-(?<x>\\d{1,2})\\.json`,
    ({ p, x }) => keys.memoryBackup(p, Number(x)),
    memoryIndexDoc as DocumentType<unknown>,
  ),
  pattern(
    'sirtrav-evals',
    `${project}/memory_pending\\.json`,
    ({ p }) => keys.memoryPending(p),
    pendingDoc as DocumentType<unknown>,
  ),
];

/** Netlify caps a blob's metadata at 2 KB. */
const METADATA_LIMIT = 2048;

function refuse(code: string, blob: ManifestBlob, why: string): never {
  const name = entryName(blob).slice(0, 200);
  throw new ImportRefusedError(code, `${name} ${why}`, { store: blob.store, key: blob.key.slice(0, 200) });
}

/** Where the key points if it is one of the project's: its kind; otherwise the archive is refused. */
export function admitBlob(manifest: ExportManifest, blob: ManifestBlob): BlobKind {
  for (const candidate of PATTERNS) {
    if (candidate.store !== blob.store) continue;
    const groups = candidate.key.exec(blob.key)?.groups;
    if (!groups) continue;
    const { p, r, x } = groups;
    if (p !== undefined && p !== manifest.projectId)
      refuse('foreign_key', blob, `does not belong to project ${manifest.projectId}.`);
    if (r !== undefined && !(manifest.runIds as readonly string[]).includes(r))
      refuse('foreign_key', blob, `belongs to a run the manifest does not list.`);
    let ref: BlobRef;
    try {
      ref = candidate.ref({ p: (p ?? manifest.projectId) as Id, r: (r ?? '') as Id, x: x ?? '' });
    } catch {
      refuse('unexpected_entry', blob, 'is not a key SirTrav writes.');
    }
    // Keys are compared as built, so nothing but the canonical spelling of a key gets in.
    if (ref.key !== blob.key || storeIdOf(blob.store) !== ref.store)
      refuse('unexpected_entry', blob, 'is not a key SirTrav writes.');
    if (blob.size > ref.maxBytes)
      refuse('blob_too_large', blob, `has ${blob.size} bytes; at most ${ref.maxBytes} are allowed there.`);
    if (Buffer.byteLength(JSON.stringify(blob.metadata)) > METADATA_LIMIT)
      refuse('invalid_metadata', blob, 'has more metadata than a blob may carry.');
    return { ref, doc: candidate.doc ?? null, runId: isId(r) ? r : null };
  }
  if (/(^|\/)webhook-secret\.json$/.test(blob.key))
    refuse('secret_in_archive', blob, 'is a secret: secrets are never imported.');
  if (
    blob.key.includes(`projects/${manifest.projectId}/`) ||
    blob.key.startsWith(`archive/${manifest.projectId}/`) ||
    isRunKey(manifest, blob.key)
  )
    refuse('unexpected_entry', blob, 'is not a kind of blob an export holds.');
  return refuse('foreign_key', blob, `does not belong to project ${manifest.projectId}.`);
}

const isRunKey = (manifest: ExportManifest, key: string) =>
  manifest.runIds.some((runId) => key.startsWith(`${runId}/`));
