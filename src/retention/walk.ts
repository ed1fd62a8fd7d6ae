import { listDirectories, listKeyPages, type StoreId } from '../storage/index.js';

/**
 * Keys and folders in ascending order, a page at a time (never the whole
 * listing), so a saved "last key" is a place to resume from.
 */
export async function* keysUnder(store: StoreId, prefix: string): AsyncGenerator<string> {
  for await (const page of listKeyPages(store, prefix)) yield* [...page].sort();
}

export async function* foldersUnder(store: StoreId, prefix: string): AsyncGenerator<string> {
  yield* (await listDirectories(store, prefix)).map((folder) => (folder.endsWith('/') ? folder : `${folder}/`)).sort();
}

/** `projects/{p}/` folders of a store. */
export const projectFolders = (store: StoreId) => foldersUnder(store, 'projects/');

/** The id in `projects/{p}/…`. */
export const projectIdOf = (key: string) => key.split('/')[1] ?? '';
