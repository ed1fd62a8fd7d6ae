import { readNarrationTiming } from '../../captions/timing.js';
import type { EditOp } from '../../schemas/edit.js';
import type { Storyboard } from '../../schemas/run.js';
import { getBinary, keys } from '../../storage/index.js';
import type { PlacedNarration } from '../agents/voice/placed.js';
import { respeakLines } from '../agents/voice/respeak.js';
import type { ProviderOutcome } from '../providers/fallback.js';
import type { RunContext } from '../context.js';

const edits = (context: RunContext) => context.state.request.edits ?? [];
const changes = (context: RunContext, op: EditOp) => edits(context).some((edit) => edit.op === op);

/** An edit's music when no edit changes it: the source's track (same style, grid, seed and length); else null. */
export async function musicFromSource(context: RunContext): Promise<Uint8Array | null> {
  const { editOf } = context.state.request;
  if (!editOf || changes(context, 'music')) return null;
  return (await getBinary(keys.music(context.projectId, editOf, 'wav')))?.data ?? null;
}

/**
 * An edit's voice from the source's track: as it was when no line changed,
 * else with only the changed lines said again. Null when the source's track
 * or its timing is gone (the narration is then spoken whole, at the same times).
 */
export async function voiceFromSource(
  context: RunContext,
  storyboard: Storyboard,
): Promise<ProviderOutcome<PlacedNarration> | null> {
  const { editOf } = context.state.request;
  if (!editOf) return null;
  const [stored, spoken] = await Promise.all([
    getBinary(keys.voice(context.projectId, editOf, 'wav')),
    readNarrationTiming(context.projectId, editOf),
  ]);
  if (!stored || !spoken) return null;
  const provider = String(stored.metadata.provider ?? 'local');
  const changed = new Set(edits(context).flatMap((edit) => (edit.op === 'narration' ? [edit.line] : [])));
  if (changed.size === 0)
    return { provider, value: { wav: stored.data, durationSec: storyboard.durationSec, spoken, dropped: [] } };
  return respeakLines({ storyboard, earlier: { wav: stored.data, spoken, provider }, changed, signal: context.signal });
}
