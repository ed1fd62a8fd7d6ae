import { readCaptions, SRT_TYPE, toSrt, toWebVtt, WEBVTT_TYPE } from '../captions/index.js';
import type { CaptionCue } from '../schemas/captions.js';
import { errorDocs } from '../http/errors.js';
import { routeGroup, type Route } from '../http/route.js';
import { videoOf } from '../runs/video.js';

const projectRoute = routeGroup({ auth: 'project', tag: 'runs' });

/** A captions file: small, and as fresh as its run (so no long caching). */
export function captionsResponse(body: string, contentType: string): Response {
  return new Response(body, {
    status: 200,
    headers: { 'content-type': contentType, 'cache-control': 'private, no-cache' },
  });
}

const FORMATS = [
  { extension: 'vtt', operationId: 'getCaptionsVtt', name: 'WebVTT', contentType: WEBVTT_TYPE, format: toWebVtt },
  { extension: 'srt', operationId: 'getCaptionsSrt', name: 'SRT', contentType: SRT_TYPE, format: toSrt },
] as const satisfies ReadonlyArray<{
  extension: string;
  operationId: string;
  name: string;
  contentType: string;
  format: (cues: CaptionCue[]) => string;
}>;

export const captionRoutes: Route[] = FORMATS.map(({ extension, operationId, name, contentType, format }) =>
  projectRoute.get(`/api/projects/:projectId/runs/:runId/captions.${extension}`, {
    operationId,
    signedLink: true,
    summary: `The narration as ${name} captions, timed to the video as the voice placed each line`,
    responses: {
      200: {
        description: `${name} captions: one cue per line heard, from where the voice starts it to where its speech ends (or the next line starts). A run without narration gets a valid file with no cues.`,
        contentType: contentType.split(';')[0]!,
      },
      ...errorDocs({
        404: 'Unknown run, or one whose documents retention removed (`captions_not_found`: its video is kept, its captions are not)',
        409: 'Not complete yet',
      }),
    },
    handler: async ({ params: { projectId, runId } }) => {
      const video = await videoOf(projectId, runId);
      return captionsResponse(format(await readCaptions(projectId, runId, video)), contentType);
    },
  }),
);
