import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

type Io = 'input' | 'output';
type JsonSchema = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';

/** A body the document describes: a request body reads as input (before defaults and transforms), a response as output. */
export interface BodyUse {
  schema: z.ZodType;
  io: Io;
  /** Its component's name when COMPONENT_SCHEMAS does not name it. */
  fallbackName: string;
}

export interface SchemaComponents {
  /** components/schemas: every component a body reaches, by name. */
  schemas: Record<string, JsonSchema>;
  /** The reference a body uses in place of its schema. */
  refOf: (schema: z.ZodType, io: Io) => { $ref: string };
}

/**
 * JSON Schemas for the bodies, each a component referenced by name, generated with zod's registry
 * support: a registered schema met inside another becomes a `$ref` to its component. Input and output
 * are generated separately; a component that reads differently as input (itself or through one it
 * references) and is used both ways gets a second component, `<name>Input`.
 */
export function buildSchemaComponents(named: Record<string, z.ZodType>, uses: BodyUse[]): SchemaComponents {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  for (const { schema, fallbackName } of uses) {
    if (registry.has(schema)) continue;
    if (registry._idmap.has(fallbackName))
      throw new Error(`Two body schemas would be named ${fallbackName}: name them in COMPONENT_SCHEMAS`);
    registry.add(schema, { id: fallbackName });
  }
  const idOf = (schema: z.ZodType) => registry.get(schema)!.id;
  const generated = { input: generate(registry, 'input'), output: generate(registry, 'output') };
  const rootsOf = (io: Io) => uses.filter((use) => use.io === io).map((use) => idOf(use.schema));
  const needed = {
    input: reachable(generated.input, rootsOf('input')),
    output: reachable(generated.output, rootsOf('output')),
  };
  const differs = readsDifferently(generated);
  const inputName = (id: string) => (differs.has(id) && needed.output.has(id) ? `${id}Input` : id);

  const schemas: Record<string, JsonSchema> = {};
  for (const id of needed.output) schemas[id] = generated.output[id]!;
  for (const id of needed.input) {
    const name = inputName(id);
    if (name !== id && registry._idmap.has(name))
      throw new Error(`Component ${name} is both a name and the input reading of ${id}`);
    schemas[name] = renameRefs(generated.input[id]!, inputName);
  }
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  return {
    schemas: sorted,
    refOf: (schema, io) => ({ $ref: COMPONENTS + (io === 'input' ? inputName(idOf(schema)) : idOf(schema)) }),
  };
}

function generate(registry: z.core.$ZodRegistry<{ id: string }>, io: Io): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id) => COMPONENTS + id,
  });
  // Shared definitions appear only for a recursive schema nobody named.
  if ('__shared' in schemas) throw new Error('A recursive schema has no component name: name it in COMPONENT_SCHEMAS');
  // $id and $schema are the document's business: a component's place names it, jsonSchemaDialect says the draft.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $id: _id, $schema: _schema, ...rest }]) => [id, rest as JsonSchema]),
  );
}

/** The component names a schema references, anywhere inside it. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(COMPONENTS))
        found.push(inner.slice(COMPONENTS.length));
      else refsIn(inner, found);
    }
  }
  return found;
}

function reachable(schemas: Record<string, JsonSchema>, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const ref of refsIn(schemas[id])) visit(ref);
  };
  for (const root of roots) visit(root);
  return seen;
}

/** Components whose input reading differs from their output one, themselves or through a component they reference. */
function readsDifferently(generated: Record<Io, Record<string, JsonSchema>>): Set<string> {
  const ids = Object.keys(generated.output);
  const differs = new Set(ids.filter((id) => !isDeepStrictEqual(generated.input[id], generated.output[id])));
  for (let grew = true; grew;) {
    grew = false;
    for (const id of ids) {
      if (differs.has(id) || !refsIn(generated.input[id]).some((ref) => differs.has(ref))) continue;
      differs.add(id);
      grew = true;
    }
  }
  return differs;
}

function renameRefs(value: unknown, rename: (id: string) => string): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, inner]) =>
        key === '$ref' && typeof inner === 'string' && inner.startsWith(COMPONENTS)
          ? [key, COMPONENTS + rename(inner.slice(COMPONENTS.length))]
          : [key, walk(inner)],
      ),
    );
  };
  return walk(value) as JsonSchema;
}
