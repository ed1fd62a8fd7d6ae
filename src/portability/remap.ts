/** Old id → new id, for ids that had to change on import. */
export type IdMap = ReadonlyMap<string, string>;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces whole ids only (an id is never part of a longer id: ids are bounded by characters outside A-Za-z0-9_-). */
export function idReplacer(map: IdMap): (text: string) => string {
  if (map.size === 0) return (text) => text;
  const pattern = new RegExp(`(?<![A-Za-z0-9_-])(${[...map.keys()].map(escape).join('|')})(?![A-Za-z0-9_-])`, 'g');
  return (text) => text.replace(pattern, (id) => map.get(id) ?? id);
}

export function remapValue(value: unknown, replace: (text: string) => string): unknown {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((item) => remapValue(item, replace));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [replace(key), remapValue(item, replace)]));
  return value;
}
