/** Runs the built `vigil` CLI as real processes for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const VIGIL = fileURLToPath(new URL('../../bin/vigil.js', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  /** Sends a signal and waits for the process to exit; resolves with its exit code or signal. */
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

/** `umask`: start under this umask (through sh), e.g. '022', as an operator's shell would. */
export function startServerProcess(dataDir: string, extra: string[] = [], opts: { umask?: string } = {}): Promise<ServerProcess> {
  const args = [VIGIL, 'serve', '--data', dataDir, '--port', '0', '--log-level', 'warn', ...extra];
  const [cmd, argv] = opts.umask ? ['sh', ['-c', `umask ${opts.umask} && exec "$0" "$@"`, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, sig) => resolve(code ?? sig ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          child,
          stderr: () => err,
          kill(signal) {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${err}`));
    });
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `vigil <args>` to completion. */
export function runCli(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VIGIL, ...args], { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(opts.input ?? '');
  });
}
