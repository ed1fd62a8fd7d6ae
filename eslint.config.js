// @ts-check
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/**
 * The folders of src/, lowest first: a folder may import from its own layer's
 * neighbours only as listed here, and from any lower layer, never from a higher one.
 */
const LAYERS = [
  ['schemas'],
  // Pure rendering: storyboard, photos and audio in, files and figures out; it knows nothing of stores, runs or progress.
  ['render'],
  ['config.ts', 'errors.ts', 'log.ts', 'random.ts', 'retry.ts', 'style'],
  ['storage', 'new-id.ts'],
  // Edits to a storyboard, as data: pure, so runs can refuse a bad edit before anything starts.
  ['edits'],
  ['http', 'progress', 'media', 'metrics', 'webhooks'],
  ['runs'],
  ['learning', 'failures', 'captions', 'shares'],
  ['pipeline', 'retention', 'repair', 'projects', 'health', 'operations'],
  ['portability'],
  ['api', 'server'],
];
const at = (entry) => `./src/${entry}`;
const layerZones = LAYERS.slice(0, -1).flatMap((layer, index) =>
  layer.map((entry) => ({
    target: at(entry),
    from: LAYERS.slice(index + 1)
      .flat()
      .map(at),
    message: `src/${entry} sits below these folders (README, Architecture): pass what it needs in, or move the shared part down.`,
  })),
);
/**
 * Scheduled functions get a small zip only while nothing they import decodes
 * photos: sharp and heic-decode (external, native) add ~9 MB to any function
 * whose import graph reaches them. The deploy suite checks the built zips; this
 * catches the usual way in (an import of a photo module) as it is written.
 */
const PHOTO_MODULES = [
  'render/picture/native.ts',
  'media/inspect.ts',
  'render/picture/decode.ts',
  'render/picture/prepare.ts',
  'render/picture/text.ts',
  'render/video/workspace.ts',
  'media/library.ts',
  'media/uploads.ts',
  'runs/start.ts',
  'pipeline/index.ts',
  'pipeline/agents',
].map(at);
const scheduledZone = {
  target: [
    './netlify/functions/*-scheduled.ts',
    ...['repair', 'retention', 'operations', 'metrics', 'webhooks', 'pipeline/watchdog.ts'].map(at),
  ],
  from: PHOTO_MODULES,
  message:
    'Scheduled functions must not reach sharp or heic-decode (it makes their zip ~10 MB): import the small module that holds what you need.',
};
const NATIVE_IMAGE_PACKAGES = ['sharp', 'sharp-phash', 'sharp-phash/distance', 'heic-decode'];
// The client package (packages/client) ships its own modules and the wire shapes (src/schemas), nothing else of the repository.
const clientZone = {
  target: './packages/client/src',
  from: '.',
  except: ['./packages/client/src', './src/schemas', './node_modules'],
  message: 'The client may import src/schemas only.',
};

/**
 * Lint only what tsc cannot see: promises nobody awaits or catches, promises
 * handed to something that ignores them, import cycles between modules, and
 * imports against the folders' direction.
 * Formatting is prettier's (`npm run format`).
 */
export default tseslint.config(
  { ignores: ['**/dist/', 'node_modules/', '.netlify/', 'public/', 'coverage/'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Sources import `./x.js` and mean `./x.ts` (NodeNext).
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, clientZone, scheduledZone] }],
    },
  },
  {
    // The native image packages are loaded by the photo modules and the agents that render, nowhere else in the app.
    files: ['src/**/*.ts', 'netlify/**/*.ts'],
    ignores: [
      'src/render/picture/native.ts',
      'src/media/inspect.ts',
      'src/render/picture/decode.ts',
      'src/render/picture/prepare.ts',
      'src/pipeline/agents/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NATIVE_IMAGE_PACKAGES.map((name) => ({
            name,
            message:
              'Load them through src/render/picture/native.ts (decode images through render/picture/decode.ts or media/inspect.ts), so only the functions that need sharp carry it.',
          })),
        },
      ],
    },
  },
);
