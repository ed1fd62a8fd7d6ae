// Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html).

/** One event as sent: `data` may span lines; `id` becomes the client's Last-Event-ID. */
export interface SseMessage {
  id?: string | number;
  event?: string;
  data: string;
}

const LINE_BREAK = /[\r\n]/;

/** One event. `id` and `event` may not contain line breaks (that would inject fields); `data` is split into lines. */
export function formatSse({ id, event, data }: SseMessage): string {
  let out = '';
  if (event !== undefined) {
    if (LINE_BREAK.test(event)) throw new Error('SSE event name must not contain a line break');
    out += `event: ${event}\n`;
  }
  if (id !== undefined) {
    const text = String(id);
    if (LINE_BREAK.test(text) || text.includes('\0')) throw new Error('SSE id must not contain a line break or NUL');
    out += `id: ${text}\n`;
  }
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

export const formatRetry = (ms: number) => `retry: ${Math.max(0, Math.floor(ms))}\n\n`;

/** A comment line: ignored by clients, keeps proxies from closing an idle stream. */
export const formatComment = (text: string) => `: ${text.replace(/[\r\n]/g, ' ')}\n\n`;
