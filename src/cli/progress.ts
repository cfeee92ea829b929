/** A byte-progress bar on stderr when it is a terminal; silent otherwise. */
import cliProgress from 'cli-progress';

export interface Progress {
  advance(bytes: number, events: number): void;
  stop(): void;
}

export function progressBar(totalBytes: number | undefined, label: string): Progress {
  if (!process.stderr.isTTY || !totalBytes) return { advance() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} MiB | {events} events | ETA {eta_formatted}`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;
  let done = 0;
  let events = 0;
  bar.start(mib(totalBytes), 0, { events });
  return {
    advance(bytes, n) {
      done += bytes;
      events += n;
      bar.update(mib(done), { events });
    },
    stop() {
      bar.stop();
    },
  };
}
