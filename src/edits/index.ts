export { applyEdits, cutBetween } from './apply.js';
export { EditError } from './errors.js';
