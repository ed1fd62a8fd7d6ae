import { issueProjectToken } from '../http/auth.js';
import { json } from '../http/respond.js';
import { routeGroup, type Route } from '../http/route.js';
import { createProject } from '../projects/index.js';
import { createProjectBodySchema, createProjectResponseSchema } from '../schemas/project.js';
import { createWebhookSecret } from '../webhooks/secret.js';

const adminRoute = routeGroup({ auth: 'admin', tag: 'projects' });

export const projectRoutes: Route[] = [
  adminRoute.post('/api/projects', {
    operationId: 'createProject',
    summary: 'Create a project (admin)',
    body: createProjectBodySchema,
    responses: { 201: { description: 'Created, with its project token', schema: createProjectResponseSchema } },
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
