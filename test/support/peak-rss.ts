import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A finished child process and the peak of its resident memory. */
export interface MeasuredRun {
  readonly code: number;
  readonly stderr: string;
  /** VmHWM of the process: its peak resident set, in MiB. */
  readonly peakRssMib: number;
  /** How many /proc reads succeeded while it ran: too few and the peak says nothing. */
  readonly samples: number;
}

/**
 * Runs `command` with `args` (stdout ignored), reading its peak RSS (VmHWM, which only grows)
 * from /proc every 20 ms while it runs and once more when it exits.
 */
export function runWithPeakRss(command: string, args: readonly string[]): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peakKib = 0;
    let samples = 0;
    const sample = (): void => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) {
          peakKib = Math.max(peakKib, Number(hwm[1]));
          samples++;
        }
      } catch {
        // The process has exited between two samples; VmHWM only grows, the last one stands.
      }
    };
    const timer = setInterval(sample, 20);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', () => sample());
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code: code ?? -1, stderr, peakRssMib: peakKib / 1024, samples });
    });
  });
}
