import { vi } from 'vitest';
import { useLocalServer } from '../helpers/server.js';
import { endToEndSuite, SUITE_ENV } from './suite.js';

for (const [name, value] of Object.entries(SUITE_ENV)) vi.stubEnv(name, value);
const server = useLocalServer();

endToEndSuite(() => ({
  url: server.current.url,
  runScheduled: async (name) => {
    const fn = server.current.functions.find((candidate) => candidate.name === name && candidate.schedule);
    if (!fn) throw new Error(`no scheduled function ${name}`);
    const response = await fn.handler(
      new Request(`${server.current.url}/.netlify/functions/${name}`, {
        method: 'POST',
        body: JSON.stringify({ next_run: new Date().toISOString() }),
      }),
      {},
    );
    return response?.status ?? 204;
  },
}));
