export * from './common.js';
export * from './project.js';
export * from './health.js';
export * from './run.js';
export * from './progress.js';
export * from './media.js';
export * from './memory.js';
export * from './retention.js';
