export * from './common.js';
export * from './project.js';
export * from './health.js';
