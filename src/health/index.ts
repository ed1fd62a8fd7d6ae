import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { getConfig, VERSION } from '../config.js';
import { authMode, type ServingContext } from '../http/auth.js';
import { findFfmpeg } from '../media/find-ffmpeg.js';
import { lastRenderer } from './renderer.js';
import type { Health } from '../schemas/health.js';
import { defineDocument, getMetadata, keys, readJSON, writeJSON } from '../storage/index.js';

const probeDoc = defineDocument({ name: 'health-probe', version: 1, schema: z.object({ nonce: z.string() }) });

/** Writes a nonce and reads it back with strong consistency. */
async function blobsRoundTrip(): Promise<Health['blobs']> {
  const started = performance.now();
  try {
    const nonce = randomUUID();
    await writeJSON(keys.healthProbe(), probeDoc, { nonce });
    const back = await readJSON(keys.healthProbe(), probeDoc);
    const ms = Math.round(performance.now() - started);
    // Another health check may have written in between; any nonce read back proves the round trip.
    return back ? { ok: true, ms } : { ok: false, ms, error: 'written value was not read back' };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).name };
  }
}

/** A read (metadata of the probe, which may not exist): proves the store answers without writing anything. */
async function blobsRead(): Promise<Health['blobs']> {
  const started = performance.now();
  try {
    await getMetadata(keys.healthProbe());
    return { ok: true, ms: Math.round(performance.now() - started), check: 'read' };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).name, check: 'read' };
  }
}

/**
 * Anyone may ask for health, so an anonymous check only reads and tells no more than liveness; the write and
 * read-back round trip and the details run for the admin token alone (a public endpoint that writes a blob per
 * call is a cheap way to run up the store, and paths, builds and providers help an attacker).
 */
export async function checkHealth({ admin, serving }: { admin: boolean; serving: ServingContext }): Promise<Health> {
  const config = getConfig();
  const [blobs, ffmpeg, renderer] = await Promise.all([
    admin ? blobsRoundTrip().then((result) => ({ ...result, check: 'round-trip' as const })) : blobsRead(),
    findFfmpeg(),
    lastRenderer().catch(() => null),
  ]);
  const details = {
    ffmpeg,
    renderer,
    providers: {
      director: config.OPENAI_API_KEY ? 'openai' : 'local',
      voice: config.ELEVENLABS_API_KEY ? 'elevenlabs' : config.OPENAI_API_KEY ? 'openai' : 'local',
      music: 'local',
      compose: 'ffmpeg',
    },
  };
  return {
    ok: blobs.ok,
    version: VERSION,
    auth: authMode(serving),
    ffmpegFound: Boolean(ffmpeg ?? renderer?.ffmpeg),
    blobs,
    ...(admin ? { details } : {}),
  };
}
