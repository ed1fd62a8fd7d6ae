import tar from 'tar-stream';
import { tarHeader } from '../../src/portability/layout.js';
import { signManifest, siteKey } from '../../src/portability/signing.js';

export interface TarEntry {
  name: string;
  body: Buffer;
  mtime: Date;
}

/** Every entry of a tar file, in order. */
export async function readTar(bytes: Uint8Array): Promise<TarEntry[]> {
  const extract = tar.extract();
  const entries: TarEntry[] = [];
  extract.end(Buffer.from(bytes));
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
    entries.push({ name: entry.header.name, body: Buffer.concat(chunks), mtime: entry.header.mtime });
  }
  return entries;
}

/** Signs the (changed) manifest of an archive's entries again, as the site whose secret is `secret` would (default: a local site's key). */
export function resign(entries: TarEntry[], secret?: string): void {
  entries[1]!.body = signManifest(entries[0]!.body, siteKey(secret));
}

/** A tar file of these entries, with the same headers an export writes. */
export async function writeTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) pack.entry(tarHeader(entry.name, entry.body.byteLength, entry.mtime), entry.body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Downloads a whole export over HTTP: prepare until ready, then every part in order. */
export async function downloadExport(
  api: (path: string) => string,
  headers: Record<string, string> = {},
  partSize?: number,
) {
  // A project that changes while its parts are fetched answers 409 export_stale: start again, as a client does.
  for (let attempt = 1; ; attempt++) {
    const result = await downloadExportOnce(api, headers, partSize);
    if (result.stale === null) return result;
    if (attempt >= 3) throw new Error(`export part: 409 ${result.stale}`);
  }
}

async function downloadExportOnce(api: (path: string) => string, headers: Record<string, string>, partSize?: number) {
  let response = await fetch(api(`/export${partSize ? `?partSize=${partSize}` : ''}`), { headers });
  let descriptor = (await response.json()) as {
    exportId: string;
    status: string;
    parts?: number;
    totalBytes?: number;
    links: { self: string; parts?: string[] };
  };
  while (response.status === 202) {
    response = await fetch(descriptor.links.self, { headers });
    descriptor = (await response.json()) as typeof descriptor;
  }
  if (response.status !== 200) throw new Error(`export: ${response.status} ${JSON.stringify(descriptor)}`);
  const parts: Buffer[] = [];
  for (const link of descriptor.links.parts!) {
    const part = await fetch(link, { headers });
    if (part.status === 409) return { descriptor, parts, archive: Buffer.alloc(0), stale: await part.text() };
    if (part.status !== 200) throw new Error(`export part: ${part.status} ${await part.text()}`);
    parts.push(Buffer.from(await part.arrayBuffer()));
  }
  return { descriptor, parts, archive: Buffer.concat(parts), stale: null };
}

/** Sends an archive as a chunked import and completes it (calling again while it answers 202). */
export async function importArchive(
  baseUrl: string,
  archive: Uint8Array,
  options: { headers?: Record<string, string>; projectId?: string; exportKey?: string } = {},
) {
  const headers = { 'content-type': 'application/json', ...options.headers };
  const started = await fetch(`${baseUrl}/api/admin/imports`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      bytes: archive.byteLength,
      ...(options.projectId ? { projectId: options.projectId } : {}),
      ...(options.exportKey ? { exportKey: options.exportKey } : {}),
    }),
  });
  if (started.status !== 201) throw new Error(`start import: ${started.status} ${await started.text()}`);
  const { importId, partSize, partCount } = (await started.json()) as {
    importId: string;
    partSize: number;
    partCount: number;
  };
  for (let n = 0; n < partCount; n++) {
    const body = new Uint8Array(archive.subarray(n * partSize, (n + 1) * partSize));
    const put = await fetch(`${baseUrl}/api/admin/imports/${importId}/parts/${n}`, {
      method: 'PUT',
      headers: { ...options.headers, 'content-type': 'application/octet-stream' },
      body,
    });
    if (put.status !== 200) throw new Error(`part ${n}: ${put.status} ${await put.text()}`);
  }
  for (;;) {
    const response = await fetch(`${baseUrl}/api/admin/import`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ importId }),
    });
    if (response.status !== 202)
      return { importId, status: response.status, body: (await response.json()) as Record<string, any> };
  }
}
