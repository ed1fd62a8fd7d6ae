import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import { AppError } from '../errors.js';
import type { LayoutEntry } from './layout.js';
import { stagedArchive, type ImportSession } from './import-session.js';

/** An archive that is not exactly the export its manifest describes; nothing of it is written. */
export class ImportRefusedError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(422, code, message, { details, retryable: false });
    this.name = 'ImportRefusedError';
  }
}

/** A planned entry of size -1 takes any size up to this (the manifest, whose size is read from its header). */
export const ANY_SIZE_LIMIT = 9 * 1024 * 1024;

export interface ReadEntry {
  index: number;
  body: Buffer;
  sha256: string;
}

/**
 * Reads the staged archive's entries in order from `entries[from]`, checking
 * each header against the planned layout (name, type, size) before its body is
 * used. `visit` returns false to stop early (the time budget is spent).
 */
export async function readEntries(
  session: ImportSession,
  entries: readonly LayoutEntry[],
  from: number,
  visit: (entry: ReadEntry) => Promise<boolean>,
  options: { expectEnd?: boolean; keepBody?: boolean | ((index: number) => boolean) } = {},
): Promise<number> {
  if (from >= entries.length) return from;
  const source = stagedArchive(session, entries[from]!.offset);
  const extract = tar.extract();
  source.on('error', (error) => extract.destroy(error));
  source.pipe(extract as unknown as NodeJS.WritableStream);
  let index = from;
  try {
    for await (const entry of extract) {
      const expected = entries[index];
      if (!expected)
        throw new ImportRefusedError(
          'unexpected_entry',
          `The archive holds an entry the manifest does not list: ${JSON.stringify(entry.header.name.slice(0, 200))}.`,
          { name: entry.header.name.slice(0, 200) },
        );
      if (entry.header.name !== expected.name)
        throw new ImportRefusedError(
          'unexpected_entry',
          `Entry ${index} is ${JSON.stringify(entry.header.name.slice(0, 200))}; the manifest expects ${JSON.stringify(expected.name)}.`,
          { index, name: entry.header.name.slice(0, 200), expected: expected.name },
        );
      if (entry.header.type !== 'file')
        throw new ImportRefusedError(
          'unexpected_entry',
          `Entry ${JSON.stringify(expected.name)} is a ${entry.header.type}, not a file.`,
        );
      if (expected.size < 0 ? entry.header.size > ANY_SIZE_LIMIT : entry.header.size !== expected.size)
        throw new ImportRefusedError(
          'size_mismatch',
          `Entry ${JSON.stringify(expected.name)} has ${entry.header.size} bytes; the manifest says ${expected.size}.`,
          { name: expected.name, size: entry.header.size, expected: expected.size },
        );
      const chunks: Buffer[] = [];
      const hash = createHash('sha256');
      // Only bodies asked for are held (documents, to decode them); the rest are hashed as they stream past.
      const keep = typeof options.keepBody === 'function' ? options.keepBody(index) : options.keepBody === true;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        if (keep) chunks.push(chunk);
        hash.update(chunk);
      }
      const keepGoing = await visit({ index, body: Buffer.concat(chunks), sha256: hash.digest('hex') });
      index++;
      if (!keepGoing || (index >= entries.length && !options.expectEnd)) break;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    // tar-stream's own complaints: a bad header checksum, a truncated body.
    throw new ImportRefusedError(
      'invalid_archive',
      `The archive is damaged near entry ${index}: ${String((error as Error)?.message ?? error).slice(0, 200)}.`,
      { index },
    );
  } finally {
    extract.destroy();
    source.destroy();
  }
  return index;
}
