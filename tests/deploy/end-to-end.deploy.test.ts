import { expect, it } from 'vitest';
import { endToEndSuite, SUITE_ENV } from '../e2e/suite.js';
import { useDeployHost } from './use-deploy-host.js';

const host = useDeployHost({ env: { ...SUITE_ENV } });

endToEndSuite(() => ({ url: host.current.url, runScheduled: (name) => host.current.runScheduled(name) }));

it('renders in a process of its own with MALLOC_ARENA_MAX=2 in force', () => {
  expect(host.current.logs()).toMatch(/"msg":"render process started".*"mallocArenaMax":"2"/);
});
