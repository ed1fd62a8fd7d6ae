import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/errors.js';
import { errorResponse } from '../../src/http/errors.js';
import { errorBodySchema } from '../../src/schemas/error.js';

const bodyOf = async (response: Response) => errorBodySchema.parse(await response.json());

describe('the error body', () => {
  it('says whether a retry can help: a bad request no, a busy or failing service yes', async () => {
    expect((await bodyOf(errorResponse(new AppError(400, 'bad_thing', 'Bad.'), 'req-1'))).error).toEqual({
      code: 'bad_thing',
      message: 'Bad.',
      requestId: 'req-1',
      retryable: false,
    });
    expect(
      (await bodyOf(errorResponse(new AppError(429, 'too_many_active_runs', 'Wait.'), 'req-2'))).error.retryable,
    ).toBe(true);
    expect(
      (await bodyOf(errorResponse(new AppError(503, 'storage_unavailable', 'Later.'), 'req-3'))).error.retryable,
    ).toBe(true);
    expect(
      (await bodyOf(errorResponse(new AppError(409, 'busy', 'Soon.', { retryable: true }), 'req-4'))).error.retryable,
    ).toBe(true);
  });

  it('a zod failure is a 400 that lists the issues; anything unexpected is a 500 that hides its insides', async () => {
    const invalid = errorResponse(z.object({ n: z.number() }).safeParse({ n: 'x' }).error, 'req-5');
    expect(invalid.status).toBe(400);
    expect((await bodyOf(invalid)).error).toMatchObject({
      code: 'validation_failed',
      retryable: false,
      details: { issues: [{ path: 'n' }] },
    });
    const internal = errorResponse(new Error('secret path /etc/x'), 'req-6');
    expect(internal.status).toBe(500);
    const body = await bodyOf(internal);
    expect(body.error).toMatchObject({ code: 'internal_error', retryable: true });
    expect(JSON.stringify(body)).not.toContain('/etc/x');
  });
});
