import { SirTravClient, type SirTravClientOptions } from './client.js';
import type { FinishedRun, ProjectRunOptions } from './run-to-video.js';

export interface RunOptions extends SirTravClientOptions, ProjectRunOptions {
  /** The project to run in (with `token`, its token or the admin token); none: a new project, which needs the admin token when auth is on. */
  projectId?: string;
}

/**
 * Photos in, video out, in one call: uploads the photos, starts a run,
 * follows its progress and resolves with the finished run and its video
 * (see `ProjectClient.run`).
 */
export async function run(options: RunOptions): Promise<FinishedRun> {
  const client = new SirTravClient(options);
  if (options.projectId) return client.forProject(options.projectId).run(options);
  const { projectId, token } = await client.createProject();
  return client.forProject(projectId, token).run(options);
}
