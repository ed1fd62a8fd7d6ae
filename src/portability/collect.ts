import { createHash } from 'node:crypto';
import type { ManifestBlob } from '../schemas/portability.js';
import { listAllRunIds } from '../runs/index.js';
import { listKeyPages, openStore, STORE_NAMES, type Id, type StoreId } from '../storage/index.js';

export interface BlobAddress {
  store: StoreId;
  key: string;
}

/**
 * Keys under a project's prefix that are not part of the project itself:
 * upload sessions, the photo ledger (a counter of this site's, counted again from the
 * photos when missing), a pipeline's or a segment's lease
 * (a claim by a worker of this site), request idempotency records, an import
 * marker, and the webhook secret (a credential: an imported project gets a
 * new one). The pieces of a render in progress are part of the project and
 * are exported (see admit.ts for everything an archive may hold).
 */
const TRANSIENT = [
  /^projects\/[^/]+\/uploads\//,
  /^projects\/[^/]+\/media_slots\.json$/,
  /^projects\/[^/]+\/idempotency\//,
  /^projects\/[^/]+\/runs\/[^/]+\/(segments\/\d+\/)?lease\.json$/,
  /^projects\/[^/]+\/import\.json$/,
  /^projects\/[^/]+\/webhook-secret\.json$/,
];
export const isTransientKey = (key: string) => TRANSIENT.some((pattern) => pattern.test(key));

/**
 * Every blob of a project, in a stable order: what lives under `projects/{p}/`
 * in each store, its archive records, and the videos and evaluations keyed by
 * its run ids (API.md's layout keys those by run only).
 */
export async function listProjectBlobs(projectId: Id): Promise<{ runIds: Id[]; blobs: BlobAddress[] }> {
  const runIds = await listAllRunIds(projectId);
  const blobs: BlobAddress[] = [];
  const collect = async (store: StoreId, prefix: string) => {
    const found: string[] = [];
    for await (const page of listKeyPages(store, prefix)) found.push(...page.filter((key) => !isTransientKey(key)));
    blobs.push(...found.sort().map((key) => ({ store, key })));
  };
  await collect('runs', `projects/${projectId}/`);
  await collect('runs', `archive/${projectId}/`);
  for (const store of ['progress', 'media', 'audio', 'evals'] as const) await collect(store, `projects/${projectId}/`);
  for (const runId of runIds) {
    await collect('videos', `${runId}/`);
    await collect('evals', `${runId}/`);
  }
  return { runIds, blobs };
}

/**
 * Reads a blob as a stream and returns its manifest entry, with the etag it had when it was read (to tell later
 * whether its bytes changed; the local server gives none); `null` if it is gone.
 */
export async function describeBlob(
  address: BlobAddress,
): Promise<{ blob: ManifestBlob; etag: string | undefined } | null> {
  const result = await openStore(address.store).getWithMetadata(address.key, { type: 'stream', consistency: 'strong' });
  if (!result) return null;
  const hash = createHash('sha256');
  let size = 0;
  const reader = (result.data as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
    size += value.byteLength;
  }
  return {
    blob: {
      store: STORE_NAMES[address.store],
      key: address.key,
      size,
      sha256: hash.digest('hex'),
      metadata: result.metadata,
    },
    etag: result.etag,
  };
}
