import { AppError } from '../errors.js';
import type { Edit } from '../schemas/edit.js';

/** An edit that cannot apply to its source: 422, naming the edit by its index in the request. */
export class EditError extends AppError {
  constructor(index: number, edit: Pick<Edit, 'op'>, message: string) {
    super(422, 'edit_invalid', `Edit ${index} (${edit.op}): ${message}`, { details: { edit: index, op: edit.op } });
    this.name = 'EditError';
  }
}
