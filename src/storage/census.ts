import { openStore, openStoreThrough, type StoreId } from './stores.js';

export interface ListedBlob {
  key: string;
  /** From the listing when the API sends it; otherwise read from the blob's metadata. */
  bytes: number;
}

/**
 * The blobs of a store, one listing page (≤ 1,000) at a time, each with its
 * size. The Blobs API sends `size` with every listed blob but the client library
 * drops it, so the listing's own JSON is read on the way through: no extra
 * request per blob. Memory holds one page at a time, whatever the store's size.
 */
export async function* listWithSizes(id: StoreId, prefix?: string): AsyncGenerator<ListedBlob[]> {
  let sizes = new Map<string, number>();
  const store = openStoreThrough(id, (base) => async (input, init) => {
    const response = await base(input, init);
    if (response.ok && (response.headers.get('content-type') ?? '').includes('json')) {
      const page = (await response
        .clone()
        .json()
        .catch(() => null)) as { blobs?: Array<{ key?: unknown; size?: unknown }> } | null;
      for (const blob of page?.blobs ?? [])
        if (typeof blob.key === 'string' && typeof blob.size === 'number') sizes.set(blob.key, blob.size);
    }
    return response;
  });
  for await (const page of store.list({ paginate: true, ...(prefix ? { prefix } : {}) })) {
    const known = sizes;
    sizes = new Map();
    const missing = page.blobs.filter((blob) => !known.has(blob.key)).map((blob) => blob.key);
    const fromMetadata = missing.length > 0 ? await sizesFromMetadata(id, missing) : new Map<string, number>();
    yield page.blobs.map((blob) => ({ key: blob.key, bytes: known.get(blob.key) ?? fromMetadata.get(blob.key) ?? 0 }));
  }
}

/** The fallback when a listing carries no sizes: the `bytes` every blob here records in its metadata. */
async function sizesFromMetadata(id: StoreId, keys: string[]): Promise<Map<string, number>> {
  const store = openStore(id);
  const sizes = new Map<string, number>();
  for (let i = 0; i < keys.length; i += 16) {
    await Promise.all(
      keys.slice(i, i + 16).map(async (key) => {
        const metadata = (await store.getMetadata(key))?.metadata;
        // A video's piece index records the video's size as `bytes` and its own as `storedBytes`.
        const bytes = metadata?.storedBytes ?? metadata?.bytes;
        if (typeof bytes === 'number') sizes.set(key, bytes);
      }),
    );
  }
  return sizes;
}
