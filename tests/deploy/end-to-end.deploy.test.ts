import { endToEndSuite, SUITE_ENV } from '../e2e/suite.js';
import { useDeployHost } from './use-deploy-host.js';

const host = useDeployHost({ env: { ...SUITE_ENV } });

endToEndSuite(() => ({ url: host.current.url, runScheduled: (name) => host.current.runScheduled(name) }));
