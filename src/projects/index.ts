import { AppError } from '../errors.js';
import { newId } from '../new-id.js';
import { projectInfoSchema, type ProjectInfo } from '../schemas/project.js';
import { emptyIndex, memoryIndexDoc } from '../learning/memory.js';
import { defineDocument, keys, readJSON, writeJSON, type Id } from '../storage/index.js';

export const projectInfoDoc = defineDocument({ name: 'project', version: 1, schema: projectInfoSchema });

export async function createProject(name: string | undefined): Promise<ProjectInfo> {
  const info: ProjectInfo = { projectId: newId('p'), name: name ?? null, createdAt: new Date().toISOString() };
  await writeJSON(keys.projectInfo(info.projectId), projectInfoDoc, info, { onlyIfNew: true });
  // Written now, so that a missing index later always means one to repair.
  await writeJSON(keys.memoryIndex(info.projectId), memoryIndexDoc, emptyIndex(), { onlyIfNew: true });
  return info;
}

/** The project, or a 404 that names it. */
export async function requireProject(projectId: Id): Promise<ProjectInfo> {
  const doc = await readJSON(keys.projectInfo(projectId), projectInfoDoc);
  if (!doc) throw new AppError(404, 'project_not_found', `Project ${projectId} does not exist.`);
  return doc.value;
}
