/** Small statistics for benchmark figures. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const median = (samples: number[]) => percentile(samples, 50);

export async function timeEach(iterations: number, task: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await task(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

export const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export interface Row {
  name: string;
  median: number;
  p99: number;
  ratio?: number;
}

export function printTable(title: string, rows: Row[], unit = 'ms'): void {
  console.log(`\n## ${title}`);
  console.log(`| case | median ${unit} | p99 ${unit} | ratio to baseline (median) |`);
  console.log('|---|---|---|---|');
  for (const row of rows)
    console.log(
      `| ${row.name} | ${fmt(row.median)} | ${fmt(row.p99)} | ${row.ratio === undefined ? '1.00 (baseline)' : fmt(row.ratio)} |`,
    );
}
