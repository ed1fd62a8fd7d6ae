import { issueProjectToken } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { json } from '../http/respond.js';
import type { Route } from '../http/router.js';
import { createProject } from '../projects/index.js';
import { createProjectBodySchema } from '../schemas/project.js';
import { createWebhookSecret } from '../webhooks/secret.js';

export const projectRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/projects',
    auth: 'admin',
    handler: async ({ request }) => {
      const body = await readJson(request, createProjectBodySchema);
      const project = await createProject(body.name);
      // Shown this once: the key receivers verify webhook signatures with.
      const webhookSecret = await createWebhookSecret(project.projectId);
      return json(201, { projectId: project.projectId, token: issueProjectToken(project.projectId), webhookSecret, name: project.name, createdAt: project.createdAt });
    },
  },
];
