/** A progress bar counting events (verify, export) on stderr when it is a terminal; silent otherwise. */
import cliProgress from 'cli-progress';

export interface EventProgress {
  update(done: number, total?: number): void;
  stop(): void;
}

export function eventProgress(label: string, total: number): EventProgress {
  if (!process.stderr.isTTY || total <= 0) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_formatted}`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  bar.start(total, 0, { rate: 0 });
  return {
    update(done, newTotal) {
      if (newTotal !== undefined && newTotal !== total) bar.setTotal((total = newTotal));
      const s = (performance.now() - started) / 1000;
      bar.update(done, { rate: s > 0 ? Math.round(done / s).toLocaleString('en-US') : 0 });
    },
    stop() {
      bar.stop();
    },
  };
}
