import { issueProjectToken } from '../http/auth.js';
import { invalidBodyDocs, adminAuthDocs } from '../http/errors.js';
import { json } from '../http/respond.js';
import { defineRoute, type Route } from '../http/route.js';
import { createProject } from '../projects/index.js';
import { createProjectBodySchema, createProjectResponseSchema } from '../schemas/project.js';
import { createWebhookSecret } from '../webhooks/secret.js';

export const projectRoutes: Route[] = [
  defineRoute({
    method: 'POST',
    path: '/api/projects',
    auth: 'admin',
    tag: 'projects',
    summary: 'Create a project (admin)',
    body: createProjectBodySchema,
    responses: { 201: { description: 'Created, with its project token', schema: createProjectResponseSchema }, ...invalidBodyDocs, ...adminAuthDocs },
    handler: async ({ body }) => {
      const project = await createProject(body.name);
      // Shown this once: the key receivers verify webhook signatures with.
      const webhookSecret = await createWebhookSecret(project.projectId);
      return json(201, {
        projectId: project.projectId,
        token: issueProjectToken(project.projectId),
        webhookSecret,
        name: project.name,
        createdAt: project.createdAt,
      });
    },
  }),
];
