import { loadavg } from 'node:os';
import type { DeployHost, InvocationRecord } from '../tests/deploy/host/host.js';

const MiB = 1024 * 1024;
const fmt = (value: number, digits = 1) => value.toFixed(digits);
const sec = (ms: number) => `${fmt(ms / 1000)} s`;

/**
 * This machine's load while a render runs (the 1-minute load average, sampled every 5 s): the measured walls
 * stretch with it, the CPU each invocation used does not.
 */
export function watchLoad(): () => string {
  const samples = [loadavg()[0]!];
  const timer = setInterval(() => samples.push(loadavg()[0]!), 5000);
  timer.unref();
  return () => {
    clearInterval(timer);
    samples.push(loadavg()[0]!);
    const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
    return `load average ${fmt(Math.min(...samples))}–${fmt(Math.max(...samples))} (mean ${fmt(mean)})`;
  };
}

const isSegment = (invocation: InvocationRecord) => /"segment"\s*:/.test(invocation.body);
const segmentIndex = (invocation: InvocationRecord) => Number(/"segment"\s*:\s*(\d+)/.exec(invocation.body)?.[1]);

/** CPU an invocation had used by `at` (ms), read between its samples. */
function cpuAt(invocation: InvocationRecord, at: number): number {
  let before = { at: invocation.startedAt, cpuMs: 0 };
  for (const sample of invocation.cpuSamples) {
    if (sample.at >= at) {
      const span = sample.at - before.at;
      return span <= 0 ? sample.cpuMs : before.cpuMs + ((sample.cpuMs - before.cpuMs) * (at - before.at)) / span;
    }
    before = sample;
  }
  return before.cpuMs;
}

/** A stretch of an invocation as measured here, and as the quota alone would have it: its CPU ÷ the share. */
interface Part {
  wallMs: number;
  cpuMs: number | null;
  /** The wall the CPU projects under the quota (it assumes the stretch waited on nothing but the CPU). */
  projectedMs: number;
}

function part(invocation: InvocationRecord, from: number, to: number, share: number | null): Part {
  const wallMs = to - from;
  if (share === null || invocation.cpuMs === null) return { wallMs, cpuMs: null, projectedMs: wallMs };
  const cpuMs = cpuAt(invocation, to) - cpuAt(invocation, from);
  return { wallMs, cpuMs, projectedMs: cpuMs / share };
}

/** An instance's start as measured, and projected from its CPU. */
function coldPart(invocation: InvocationRecord, share: number | null): Part {
  const start = invocation.coldStart;
  if (!start) return { wallMs: 0, cpuMs: 0, projectedMs: 0 };
  if (share === null || start.cpuMs === null) return { wallMs: start.ms, cpuMs: null, projectedMs: start.ms };
  return { wallMs: start.ms, cpuMs: start.cpuMs, projectedMs: start.cpuMs / share };
}

const described = (p: Part) => `${sec(p.projectedMs)} (measured ${sec(p.wallMs)})`;

export function printInvocations(host: DeployHost): void {
  const renders = host.invocations.filter((invocation) => invocation.functionName === 'run-pipeline-background');
  const t0 = Math.min(...renders.map((invocation) => invocation.receivedAt));
  const share = host.cpuShare;
  console.log(
    '| invocation | received at | cold start (CPU-projected / measured) | wall measured | CPU | wall CPU-projected | CPU ÷ (wall × share) | peak RSS (process tree) | outcome |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const invocation of renders.sort((a, b) => a.receivedAt - b.receivedAt)) {
    const name = isSegment(invocation) ? `segment ${segmentIndex(invocation) + 1}` : 'run';
    const whole = part(invocation, invocation.startedAt, invocation.endedAt, share);
    const cold = coldPart(invocation, share);
    const busy = share && whole.cpuMs !== null ? `${fmt((100 * whole.cpuMs) / (whole.wallMs * share), 0)} %` : '–';
    console.log(
      `| ${name} | +${sec(invocation.receivedAt - t0)} | ${invocation.coldStart ? `${sec(cold.projectedMs)} / ${sec(cold.wallMs)}` : 'warm'} | ${sec(whole.wallMs)} | ${whole.cpuMs === null ? '–' : sec(whole.cpuMs)} | ${sec(whole.projectedMs)} | ${busy} | ${fmt(invocation.peakRss / MiB, 0)} MB | ${invocation.outcome} |`,
    );
  }
  const starts = host.coldStarts.map((start) => start.ms).sort((a, b) => a - b);
  const byFunction = [...new Set(host.coldStarts.map((start) => start.functionName))].map((name) => {
    const own = host.coldStarts.filter((start) => start.functionName === name);
    return `${name} ${own.map((start) => `${start.ms} ms${start.cpuMs === null ? '' : ` (CPU ${fmt(start.cpuMs, 0)} ms)`}`).join(', ')}`;
  });
  console.log(
    `cold starts (process start to bundle loaded): median ${starts[Math.floor(starts.length / 2)] ?? 0} ms; ${byFunction.join('; ')}`,
  );
  const peaks = Object.entries(host.peakRss).map(([name, bytes]) => `${name} ${fmt(bytes / MiB, 0)} MB`);
  console.log(`peak RSS per function (process tree): ${peaks.join(', ')}`);
}

/** A log line a function printed (`{"ts":…,"msg":…}`), with its time. */
function logged(host: DeployHost, message: string): { at: number; ms: number }[] {
  return host
    .logs()
    .split('\n')
    .filter((line) => line.includes(`"msg":"${message}"`))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as { ts: string; ms: number })
    .map((entry) => ({ at: Date.parse(entry.ts), ms: entry.ms }));
}

/**
 * On Netlify each segment has an instance of its own, so a segmented render takes: the run's cold start, its work
 * until it asks for the segments (director, plan), then the longer of the slowest segment (its cold start included)
 * and the soundtrack's chain (voice and music, then the mix, made in the run's invocation meanwhile), then the join
 * and what follows it. Each part is measured here, and projected from the CPU it used: CPU ÷ the share is its wall
 * where nothing but the quota held it back, which on a loaded machine is closer to Netlify than the measured wall.
 */
export function printCriticalPath(host: DeployHost): void {
  const renders = host.invocations.filter((invocation) => invocation.functionName === 'run-pipeline-background');
  const segments = renders.filter(isSegment);
  const run = renders.filter((invocation) => !isSegment(invocation)).sort((a, b) => b.ms - a.ms)[0];
  const soundtrack = logged(host, 'soundtrack made').at(-1);
  const join = logged(host, 'picture joined').at(-1);
  if (!run || !soundtrack || !join)
    return console.log('critical path: not measured (the run did not log its soundtrack and join)');
  const share = host.cpuShare;
  const cold = coldPart(run, share);
  const joinStarted = join.at - join.ms;
  const joined = part(run, joinStarted, join.at, share);
  const stored = part(run, join.at, run.endedAt, share);
  const soundtrackStarted = soundtrack.at - soundtrack.ms;
  const mix = part(run, soundtrackStarted, soundtrack.at, share);
  if (segments.length === 0) {
    const whole = part(run, run.startedAt, run.endedAt, share);
    return console.log(
      `critical path (one invocation): ${described({ ...whole, projectedMs: cold.projectedMs + whole.projectedMs, wallMs: cold.wallMs + whole.wallMs })}: cold start ${described(cold)}, soundtrack ${described(mix)}, join ${described(joined)}`,
    );
  }
  const asked = Math.min(...segments.map((invocation) => invocation.receivedAt));
  const before = part(run, run.startedAt, asked, share);
  const perSegment = segments.map((invocation) => {
    const start = coldPart(invocation, share);
    const body = part(invocation, invocation.startedAt, invocation.endedAt, share);
    return {
      index: segmentIndex(invocation),
      start,
      body,
      projectedMs: start.projectedMs + body.projectedMs,
      wallMs: invocation.endedAt - invocation.receivedAt,
    };
  });
  const slowest = perSegment.sort((a, b) => b.projectedMs - a.projectedMs)[0]!;
  const audio = part(run, asked, soundtrackStarted, share);
  const pictureMs = before.projectedMs + slowest.projectedMs;
  const soundMs = before.projectedMs + audio.projectedMs + mix.projectedMs;
  const pathMs = cold.projectedMs + Math.max(pictureMs, soundMs) + joined.projectedMs + stored.projectedMs;
  const measuredMs =
    cold.wallMs +
    Math.max(before.wallMs + slowest.wallMs, soundtrack.at - run.startedAt) +
    joined.wallMs +
    stored.wallMs;
  console.log(
    `critical path projected for ${segments.length} segments, each in an instance of its own: ${sec(pathMs)} from the CPU (${sec(measuredMs)} from the measured walls); bound by ${pictureMs >= soundMs ? 'the slowest segment' : 'the soundtrack'}`,
  );
  console.log('| part of the path | CPU-projected | measured | CPU |');
  console.log('|---|---|---|---|');
  const row = (name: string, p: Part) =>
    console.log(`| ${name} | ${sec(p.projectedMs)} | ${sec(p.wallMs)} | ${p.cpuMs === null ? '–' : sec(p.cpuMs)} |`);
  row('run: cold start', cold);
  row('run: until the segments are asked for (director, plan)', before);
  row(`slowest segment (${slowest.index + 1}): cold start`, slowest.start);
  row(`slowest segment (${slowest.index + 1}): render and store`, slowest.body);
  row('beside it, run: voice and music until the mix starts', audio);
  row('beside it, run: soundtrack (mix, AAC)', mix);
  row('run: fetch the segments and join', joined);
  row('run: store the video and finish', stored);
  const segmentsMs = perSegment.map((s) => s.projectedMs).sort((a, b) => a - b);
  console.log(
    `segments CPU-projected (cold start included): ${segmentsMs.map((ms) => fmt(ms / 1000)).join(', ')} s; CPU in all ${sec(segments.reduce((sum, s) => sum + (s.cpuMs ?? 0), 0))}`,
  );
}
