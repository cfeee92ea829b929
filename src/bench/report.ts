/** Printing benchmark figures next to their same-run baselines. */

export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** Target as a ratio of the baseline (e.g. 0.25) or an absolute value in `unit`. */
  target?: { ratio?: number; min?: number; max?: number };
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

export function printFigure(f: Figure): void {
  let line = `${f.name.padEnd(44)} ${fmt(f.value).padStart(12)} ${f.unit}`;
  let ok = true;
  if (f.baseline) {
    const ratio = f.value / f.baseline.value;
    line += `   vs ${f.baseline.name} ${fmt(f.baseline.value)} ${f.unit} = ${(ratio * 100).toFixed(1)}%`;
    if (f.target?.ratio !== undefined) ok = ratio >= f.target.ratio;
  }
  if (f.target?.min !== undefined) ok &&= f.value >= f.target.min;
  if (f.target?.max !== undefined) ok &&= f.value <= f.target.max;
  if (f.target) {
    const t = f.target.ratio !== undefined ? `≥ ${f.target.ratio * 100}%` : f.target.min !== undefined ? `≥ ${fmt(f.target.min)}` : `≤ ${fmt(f.target.max!)}`;
    line += `   [target ${t}: ${ok ? 'met' : 'MISSED'}]`;
  }
  process.stdout.write(`${line}\n`);
}
