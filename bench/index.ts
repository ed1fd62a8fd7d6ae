import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalServer, type LocalServer } from '../src/server/local-server.js';
import { benchDeploy } from './deploy.js';
import { benchEdit } from './edit.js';
import { benchLearning } from './learning.js';
import { benchMedia } from './media.js';
import { benchOperations } from './operations.js';
import { benchPicture } from './picture.js';
import { benchPipeline } from './pipeline.js';
import { benchPlaces } from './places.js';
import { benchPortability } from './portability.js';
import { benchProgress } from './progress.js';
import { benchRanges } from './ranges.js';
import { benchRetention } from './retention.js';
import { benchRoll } from './roll.js';
import { benchScale } from './scale.js';
import { benchSound } from './sound.js';
import { benchStorage } from './storage.js';

/** `npm run bench [section…]`: prints figures and ratios; asserts nothing. */
const sections: Record<string, (server: LocalServer) => Promise<void>> = {
  storage: benchStorage,
  ranges: benchRanges,
  progress: benchProgress,
  media: benchMedia,
  pipeline: benchPipeline,
  picture: benchPicture,
  learning: benchLearning,
  retention: benchRetention,
  sound: benchSound,
  places: benchPlaces,
  portability: benchPortability,
  operations: benchOperations,
  deploy: benchDeploy,
  scale: benchScale,
  edit: benchEdit,
  roll: benchRoll,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in sections));
if (unknown.length > 0) {
  console.error(`Unknown bench section(s): ${unknown.join(', ')}. Known: ${Object.keys(sections).join(', ')}`);
  process.exit(2);
}

const directory = await mkdtemp(join(tmpdir(), 'sirtrav-bench-'));
const server = await startLocalServer({ blobsDirectory: directory });
console.log(`# SirTrav benchmarks (${new Date().toISOString()}, node ${process.version})`);
try {
  for (const [name, run] of Object.entries(sections)) {
    if (wanted.length === 0 || wanted.includes(name)) await run(server);
  }
} finally {
  await server.close();
  await rm(directory, { recursive: true, force: true });
}
