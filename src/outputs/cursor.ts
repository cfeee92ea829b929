/**
 * An output's durable cursor: the next `vigil.seq` to deliver, in
 * `<data_dir>/outputs/<name>/cursor.json`. Replaced atomically (temp file,
 * fsync, rename, fsync of the folder), so a crash leaves the old or the new
 * position, never a torn file.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

const NAME = /^[A-Za-z0-9_-]+$/;

export class Cursor {
  private constructor(
    private readonly dir: string,
    private seq: number | undefined,
  ) {}

  /** Opens the cursor of output `name`; `next` is undefined until one was saved. */
  static async open(dataDir: string, name: string): Promise<Cursor> {
    if (!NAME.test(name)) throw new Error(`output name ${JSON.stringify(name)}: only letters, digits, _ and - are allowed`);
    const dir = join(dataDir, 'outputs', name);
    await mkdir(dir, { recursive: true });
    let text: string;
    try {
      text = await readFile(join(dir, 'cursor.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Cursor(dir, undefined);
      throw err;
    }
    const seq = (JSON.parse(text) as { next_seq?: unknown }).next_seq;
    if (!Number.isSafeInteger(seq) || (seq as number) < 0) throw new Error(`${join(dir, 'cursor.json')}: next_seq must be a non-negative integer`);
    return new Cursor(dir, seq as number);
  }

  get next(): number | undefined {
    return this.seq;
  }

  /** Durably records `seq` as the next to deliver; resolves once it is on disk. */
  async save(seq: number): Promise<void> {
    const file = join(this.dir, 'cursor.json');
    const tmp = `${file}.tmp`;
    const f = await open(tmp, 'w');
    try {
      await f.writeFile(`{"next_seq":${seq}}\n`);
      await f.sync();
    } finally {
      await f.close();
    }
    await rename(tmp, file);
    const d = await open(this.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
    this.seq = seq;
  }
}
