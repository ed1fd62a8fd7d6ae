export { applyEdits, type Replacement } from './apply.js';
export { EditError } from './errors.js';
