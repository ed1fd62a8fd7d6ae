/**
 * What other folders use of runs: state and its transitions, the active-run
 * index, archive records, slots, the storyboard document and the trigger.
 * Starting and cancelling (start.ts) are imported on their own: they reach the
 * photo modules, which scheduled functions must not carry.
 */
export * from './active.js';
export * from './archive.js';
export * from './ended.js';
export * from './errors.js';
export * from './lifecycle.js';
export * from './slots.js';
export * from './state.js';
export * from './storyboard.js';
export * from './trigger.js';
export * from './video.js';
export * from './audio.js';
export * from './picture-layout.js';
