import { join } from 'node:path';
import { setEnvironmentContext } from '@netlify/blobs';
import { startBlobsSandbox } from './blobs-sandbox.js';

export interface BlobsConnection {
  /** Where the stores are, for logs (never the token). */
  target: string;
  close(): Promise<void>;
}

/**
 * Points the blobs library at a site's stores for a command-line tool, the way
 * the server is pointed at them:
 * - inside Netlify (`NETLIFY_BLOBS_CONTEXT` set): as it is;
 * - `NETLIFY_SITE_ID` + `NETLIFY_AUTH_TOKEN` (a personal access token): the real site through Netlify's API
 *   (`NETLIFY_API_URL` overrides the API's address);
 * - otherwise the local sandbox `npm start` uses: `SIRTRAV_BLOBS_DIR`, default `.netlify/sirtrav-blobs`.
 */
export async function connectBlobs(env: NodeJS.ProcessEnv = process.env): Promise<BlobsConnection> {
  if (env.NETLIFY_BLOBS_CONTEXT)
    return { target: 'the Netlify environment (NETLIFY_BLOBS_CONTEXT)', close: async () => undefined };
  const siteID = env.NETLIFY_SITE_ID?.trim();
  const token = env.NETLIFY_AUTH_TOKEN?.trim();
  if (siteID && token) {
    setEnvironmentContext({ siteID, token, apiURL: env.NETLIFY_API_URL?.trim() || 'https://api.netlify.com' });
    return { target: `site ${siteID}`, close: async () => undefined };
  }
  if (siteID || token)
    throw new Error(
      'Set both NETLIFY_SITE_ID and NETLIFY_AUTH_TOKEN to reach a real site, or neither for the local sandbox.',
    );
  const directory = env.SIRTRAV_BLOBS_DIR?.trim() || join(process.cwd(), '.netlify', 'sirtrav-blobs');
  const sandbox = await startBlobsSandbox(directory);
  return { target: `local sandbox ${directory}`, close: () => sandbox.stop() };
}
