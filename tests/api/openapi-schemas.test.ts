import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildSchemaComponents } from '../../src/api/openapi-schemas.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

// A default makes a field optional as input and required as output: the two readings differ.
const shot = z.object({ seconds: z.number(), framing: z.enum(['crop', 'fill']).default('crop') });
const plan = z.object({ shots: z.array(shot) });
// Strict: an object that strips unknown keys reads differently too (output adds additionalProperties: false).
const title = z.strictObject({ text: z.string() });
const card = z.object({ title });

describe('OpenAPI schema components', () => {
  it('references named schemas and names a body nobody named after its operation', () => {
    const wrapper = z.object({ card });
    const { schemas, refOf } = buildSchemaComponents({ Title: title, Card: card }, [
      { schema: wrapper, io: 'output', fallbackName: 'GetCardResponse' },
    ]);
    expect(refOf(wrapper, 'output')).toEqual(ref('GetCardResponse'));
    expect(Object.keys(schemas)).toEqual(['Card', 'GetCardResponse', 'Title']);
    expect(schemas.GetCardResponse).toMatchObject({ properties: { card: ref('Card') } });
    expect(schemas.Card).toMatchObject({ properties: { title: ref('Title') } });
    expect(schemas.Card).not.toHaveProperty('$id');
    expect(schemas.Card).not.toHaveProperty('$schema');
  });

  it('gives a schema read both ways a second component where its input reading differs, through references too', () => {
    const { schemas, refOf } = buildSchemaComponents({ Shot: shot, Plan: plan, Title: title }, [
      { schema: plan, io: 'input', fallbackName: 'CreatePlanRequest' },
      { schema: plan, io: 'output', fallbackName: 'GetPlanResponse' },
      { schema: title, io: 'input', fallbackName: 'SetTitleRequest' },
      { schema: title, io: 'output', fallbackName: 'GetTitleResponse' },
    ]);
    expect(Object.keys(schemas)).toEqual(['Plan', 'PlanInput', 'Shot', 'ShotInput', 'Title']);
    expect(refOf(plan, 'input')).toEqual(ref('PlanInput'));
    expect(refOf(plan, 'output')).toEqual(ref('Plan'));
    expect(refOf(title, 'input')).toEqual(ref('Title'));
    expect(schemas.PlanInput).toMatchObject({ properties: { shots: { items: ref('ShotInput') } } });
    expect(schemas.Plan).toMatchObject({ properties: { shots: { items: ref('Shot') } } });
    expect(schemas.ShotInput).toMatchObject({ required: ['seconds'] });
    expect(schemas.Shot).toMatchObject({ required: ['seconds', 'framing'] });
  });

  it('keeps the plain name for a schema only ever read as input', () => {
    const { schemas, refOf } = buildSchemaComponents({ Plan: plan }, [
      { schema: plan, io: 'input', fallbackName: 'CreatePlanRequest' },
    ]);
    expect(refOf(plan, 'input')).toEqual(ref('Plan'));
    expect(Object.keys(schemas)).toEqual(['Plan']);
    expect(schemas.Plan).toMatchObject({ properties: { shots: { items: { required: ['seconds'] } } } });
  });

  it('refuses two unnamed bodies that would share a name', () => {
    expect(() =>
      buildSchemaComponents({}, [
        { schema: z.object({ a: z.string() }), io: 'output', fallbackName: 'GetThingResponse' },
        { schema: z.object({ b: z.string() }), io: 'output', fallbackName: 'GetThingResponse' },
      ]),
    ).toThrow(/Two body schemas would be named GetThingResponse/);
  });
});
