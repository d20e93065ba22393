// A long-running server process of the harness: output goes to a log file, readiness is
// polled, and stop() ends it (SIGTERM, then SIGKILL).
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

export interface ServerProcess {
  name: string;
  logFile: string;
  /** Resolves once the process has exited (at once if it already has). */
  stop(): Promise<void>;
}

// Each server runs under a small sh watchdog that holds the write end of a pipe from Node on
// its stdin: when Node closes it (stop()) or dies (a killed or crashed test run), the
// watchdog sends SIGTERM, then SIGKILL after 10 s. Servers never outlive the tests.
const watchdog = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'server=$!',
  '(read _ <&3; kill -TERM "$server" 2>/dev/null; sleep 10; kill -KILL "$server" 2>/dev/null) &',
  'watch=$!',
  'wait "$server"',
  'status=$?',
  'kill "$watch" 2>/dev/null',
  'exit "$status"',
].join('\n');

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Resolves true when the server is ready; polled until timeoutMs. */
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}

export async function startProcess(opts: StartOptions): Promise<ServerProcess> {
  const fd = openSync(opts.logFile, 'w'); // one start per file: a retry's tail is its own
  const child = spawn('sh', ['-c', watchdog, opts.name, opts.command, ...opts.args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', fd, fd],
  });
  closeSync(fd);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.on('exit', () => {
      exited = true;
      resolve();
    });
    child.on('error', () => {
      exited = true;
      resolve();
    });
  });

  const stop = async (): Promise<void> => {
    child.stdin?.end(); // the watchdog stops the server
    if (exited) return;
    const timer = setTimeout(() => {
      process.stderr.write(`${opts.name} did not stop within 15 s of SIGTERM: killing it\n`);
      child.kill('SIGKILL');
    }, 15_000);
    await exit;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`${opts.name} exited during start-up:\n${tail(opts.logFile)}`);
    }
    if (await opts.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `${opts.name} not ready after ${opts.timeoutMs ?? 60_000} ms:\n${tail(opts.logFile)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { name: opts.name, logFile: opts.logFile, stop };
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
