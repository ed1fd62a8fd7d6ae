import { z } from 'zod';
import { defineDocument, keys, readJSON, updateJSON, UNCHANGED, type Id } from '../storage/index.js';

/** When each photo was last used by a run; retention counts a photo's age from this. */
const usageSchema = z.object({ lastUsed: z.record(z.string(), z.string()) });
export const usageDoc = defineDocument({ name: 'media-usage', version: 1, schema: usageSchema });

export async function recordMediaUse(projectId: Id, mediaIds: string[], at = new Date().toISOString()): Promise<void> {
  await updateJSON(keys.mediaUsage(projectId), usageDoc, (current) => {
    const lastUsed = { ...current?.lastUsed };
    let changed = false;
    for (const id of mediaIds) {
      if ((lastUsed[id] ?? '') < at) {
        lastUsed[id] = at;
        changed = true;
      }
    }
    return changed ? { lastUsed } : UNCHANGED;
  });
}

export async function readMediaUsage(projectId: Id): Promise<Record<string, string>> {
  return (await readJSON(keys.mediaUsage(projectId), usageDoc))?.value.lastUsed ?? {};
}

export async function forgetMediaUse(projectId: Id, mediaIds: string[]): Promise<void> {
  await updateJSON(keys.mediaUsage(projectId), usageDoc, (current) => {
    if (!current || !mediaIds.some((id) => id in current.lastUsed)) return UNCHANGED;
    return { lastUsed: Object.fromEntries(Object.entries(current.lastUsed).filter(([id]) => !mediaIds.includes(id))) };
  });
}
