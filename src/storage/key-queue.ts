/**
 * Runs tasks for the same key one after another within this process.
 * The local Blobs server's conditional writes are not atomic, so in-process
 * writers to one key are serialised as well; across instances the conditional
 * write itself decides.
 */
const tails = new Map<string, Promise<unknown>>();

export function runExclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const result = previous.then(task, task);
  const tail = result.catch(() => undefined);
  tails.set(key, tail);
  // `tail` never rejects (caught above); the second handler only says so to the linter.
  tail.then(
    () => {
      if (tails.get(key) === tail) tails.delete(key);
    },
    () => undefined,
  );
  return result;
}
