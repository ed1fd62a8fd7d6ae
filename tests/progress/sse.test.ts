import { describe, expect, it } from 'vitest';
import { formatComment, formatRetry, formatSse } from '../../src/progress/sse.js';

describe('SSE framing', () => {
  it('writes event, id and data lines, ending with a blank line', () => {
    expect(formatSse({ id: 7, event: 'progress', data: '{"a":1}' })).toBe('event: progress\nid: 7\ndata: {"a":1}\n\n');
    expect(formatSse({ data: 'one\ntwo\r\nthree' })).toBe('data: one\ndata: two\ndata: three\n\n');
    expect(formatRetry(1500)).toBe('retry: 1500\n\n');
    expect(formatComment('a\nb')).toBe(': a b\n\n');
  });

  it('refuses line breaks in id and event, which would inject fields', () => {
    expect(() => formatSse({ id: '1\nevent: done', data: 'x' })).toThrow(/line break/);
    expect(() => formatSse({ event: 'progress\r\ndata: forged', data: 'x' })).toThrow(/line break/);
    expect(() => formatSse({ id: '1\r', data: 'x' })).toThrow(/line break/);
  });
});
