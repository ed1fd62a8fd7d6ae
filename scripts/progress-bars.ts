import type { ProgressEvent } from '../packages/client/src/index.js';

export const AGENTS = ['director', 'voice', 'music', 'compose'] as const;
type Agent = (typeof AGENTS)[number];

/** One bar per agent: redrawn in place on a terminal, one line per change otherwise (CI logs). */
export class ProgressBars {
  private readonly state = new Map<Agent, { fraction: number; status: string }>(
    AGENTS.map((agent) => [agent, { fraction: 0, status: 'waiting' }]),
  );
  private drawn = false;
  private readonly tty = Boolean(process.stdout.isTTY);

  update(event: ProgressEvent): void {
    if (!(AGENTS as readonly string[]).includes(event.agent)) {
      if (!this.tty) console.log(`  pipeline ${event.status}${event.message ? `: ${event.message}` : ''}`);
      return;
    }
    const agent = event.agent as Agent;
    const fraction =
      event.status === 'completed' || event.status === 'reused'
        ? 1
        : typeof event.data?.fraction === 'number'
          ? event.data.fraction
          : (this.state.get(agent)?.fraction ?? 0);
    this.state.set(agent, { fraction, status: event.status });
    if (this.tty) this.draw();
    else
      console.log(
        `  ${agent.padEnd(9)} ${event.status.padEnd(9)} ${Math.round(fraction * 100)}%${event.message ? `  ${event.message}` : ''}`,
      );
  }

  private draw(): void {
    if (this.drawn) process.stdout.write(`\x1b[${AGENTS.length}A`);
    for (const agent of AGENTS) {
      const { fraction, status } = this.state.get(agent)!;
      const filled = Math.round(fraction * 30);
      process.stdout.write(
        `\x1b[2K  ${agent.padEnd(9)} [${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%  ${status}\n`,
      );
    }
    this.drawn = true;
  }

  finish(): void {
    if (this.tty && !this.drawn) this.draw();
  }
}
