import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';

/**
 * A tiny supervisor, run as `node -e`, between this process and the tool it
 * starts. Node cannot ask Linux to signal a child when its parent dies (there
 * is no PR_SET_PDEATHSIG), so a SIGKILLed host would leave ffmpeg running on.
 * The supervisor holds a pipe from the host on its stdin: when the host dies,
 * for any reason, the pipe closes and the supervisor kills the tool at once.
 * A SIGTERM from the host does the same. The tool's stdout and stderr are the
 * supervisor's own (inherited), so the host reads them as before, and the
 * supervisor exits with the tool's code, or 128 + the signal that ended it.
 * Inline source, so there is no file to ship with the function bundle.
 */
const SUPERVISOR_SOURCE = `
const { spawn } = require('node:child_process');
const { constants } = require('node:os');
const [bin, ...args] = process.argv.slice(1);
let child;
const stop = () => { if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
process.stdin.on('data', () => {});
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('SIGHUP', stop);
child = spawn(bin, args, { stdio: ['ignore', 'inherit', 'inherit'] });
child.on('error', (error) => { process.stderr.write('spawn ' + bin + ' ' + (error.code || 'failed') + '\\n'); process.exit(error.code === 'ENOENT' ? 127 : 126); });
child.on('exit', (code, signal) => process.exit(signal ? 128 + (constants.signals[signal] || 9) : (code === null ? 1 : code)));
`;

export type SupervisedProcess = ChildProcessByStdio<Writable, Readable, Readable>;

/** Starts `bin args` under the supervisor; stdout and stderr are the tool's. */
export function spawnSupervised(bin: string, args: string[]): SupervisedProcess {
  return spawn(process.execPath, ['-e', SUPERVISOR_SOURCE, bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Ends the tool: the supervisor kills it and exits with 128 + 9. */
export function stopSupervised(child: SupervisedProcess): void {
  child.stdin.destroy();
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

const SIGNAL_NAMES = Object.fromEntries(
  Object.entries(constants.signals).map(([name, number]) => [number, name]),
) as Record<number, NodeJS.Signals>;

/** How the tool ended, from the supervisor's exit: its code, or the signal that killed it. */
export function toolExit(
  code: number | null,
  signal: NodeJS.Signals | null,
): { code: number | null; signal: NodeJS.Signals | null; missing: boolean } {
  if (signal) return { code: null, signal, missing: false };
  if (code !== null && code > 128 && SIGNAL_NAMES[code - 128])
    return { code: null, signal: SIGNAL_NAMES[code - 128]!, missing: false };
  return { code, signal: null, missing: code === 127 };
}
