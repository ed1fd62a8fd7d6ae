export { applyEdits } from './apply.js';
export { EditError } from './errors.js';
