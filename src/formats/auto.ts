/**
 * `auto`: picks the format per line, so a mixed stream (Kubernetes audit
 * lines between app events, auditd records between both) decodes in one go.
 * Each line goes to the first candidate whose `detect` accepts it, in the
 * order given (most specific first); a JSON line is parsed once and offered
 * to the JSON formats as an object (`detectObject`, `decodeObject`), other
 * lines go to the remaining formats' `detect`. The chosen normalizer sets
 * `event.module`/`event.dataset`, which record the choice. A line no candidate
 * claims, or one its format rejects, is kept whole as a `generic` event (a
 * rejection also carries `error.type: "FormatError"` and `error.message`
 * `<format>: <reason>`), so nothing is lost. Stateful formats (auditd) keep
 * one decoder for the whole stream, so their multi-line records still group.
 *
 * Needs a time option (see `TimeOptions` in generic.ts) for the generic
 * lines; without one such a line is a FormatError.
 */
import { cleanLine, isJsonFormat, isObj, JsonDocAssembler, looksLikeObject, stripCr, type JsonFormat } from './common.js';
import { FormatError, type DecodeOptions, type Decoded, type Format, type LineDecoder, type RecordPosition } from './format.js';
import { genericEvent, hasTime, type GenericOptions } from './generic.js';

export function createAutoFormat(candidates: readonly Format[]): Format {
  return {
    name: 'auto',
    detect: () => true,
    createDecoder: (opts) => new AutoDecoder(candidates, opts),
  };
}

type Rejected = { format: string; reason: string };

class AutoDecoder implements LineDecoder {
  private readonly decoders = new Map<Format, LineDecoder>();
  private readonly doc = new JsonDocAssembler();
  private readonly timed: boolean;
  private readonly json: JsonFormat[];
  private readonly lines: Format[];

  constructor(
    candidates: readonly Format[],
    private readonly opts: DecodeOptions,
  ) {
    this.timed = hasTime(opts);
    this.json = candidates.filter(isJsonFormat);
    this.lines = candidates.filter((f) => !isJsonFormat(f));
  }

  push(raw: string, pos: RecordPosition): Decoded[] {
    if (this.doc.open) return this.pushDocLine(raw, pos);
    const line = cleanLine(raw);
    if (line === undefined) return [];
    if (JsonDocAssembler.starts(line)) {
      this.doc.push(line, pos);
      return [];
    }
    return this.route(line, pos) ?? [this.generic(line, pos)];
  }

  flush(): Decoded[] {
    const out = this.doc.open ? this.abandonDoc() : [];
    for (const d of this.decoders.values()) for (const x of d.flush()) out.push(x);
    return out;
  }

  /** A line inside a pretty-printed JSON document. */
  private pushDocLine(raw: string, pos: RecordPosition): Decoded[] {
    const text = this.doc.push(stripCr(raw), pos);
    if (text === undefined) return [];
    if (text === null) return this.abandonDoc(); // too large: keep its lines as they are
    const result = this.routeJson(text, this.doc.positions[0]);
    if (Array.isArray(result)) {
      this.doc.reset();
      return result;
    }
    return this.abandonDoc(result);
  }

  /** Gives up on the open document: each of its lines becomes a generic event. */
  private abandonDoc(rejected?: Rejected): Decoded[] {
    const { lines, positions } = this.doc;
    const out: Decoded[] = [];
    for (let i = 0; i < lines.length; i++) {
      const l = cleanLine(lines[i]);
      if (l !== undefined) out.push(this.generic(l, positions[i], rejected));
    }
    this.doc.reset();
    return out;
  }

  /**
   * Offers a JSON record to the JSON formats: the events of the first that
   * claims it, the rejection when that format refused it, or undefined when
   * the text is no JSON object or no format claims it.
   */
  private routeJson(text: string, pos: RecordPosition): Decoded[] | Rejected | undefined {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!isObj(doc)) return undefined;
    for (const f of this.json) {
      if (!f.detectObject(doc)) continue;
      try {
        const events = f.decodeObject(doc, text, this.opts);
        const out: Decoded[] = new Array(events.length);
        for (let i = 0; i < events.length; i++) out[i] = { event: events[i], position: pos };
        return out;
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        return { format: f.name, reason: err.message };
      }
    }
    return undefined;
  }

  /** Decodes `line` with the first format that claims it; undefined when none does. */
  private route(line: string, pos: RecordPosition): Decoded[] | undefined {
    if (this.json.length && looksLikeObject(line)) {
      const r = this.routeJson(line, pos);
      if (Array.isArray(r)) return r;
      if (r) return [this.generic(line, pos, r)];
    }
    for (const f of this.lines) {
      if (!f.detect(line)) continue;
      try {
        return this.decoder(f).push(line, pos);
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        return [this.generic(line, pos, { format: f.name, reason: err.message })];
      }
    }
    return undefined;
  }

  private decoder(f: Format): LineDecoder {
    let d = this.decoders.get(f);
    if (!d) this.decoders.set(f, (d = f.createDecoder(this.opts)));
    return d;
  }

  private generic(line: string, pos: RecordPosition, rejected?: Rejected): Decoded {
    if (!this.timed) {
      const why = rejected ? `rejected as ${rejected.format} (${rejected.reason})` : 'of no known format';
      throw new FormatError(`line ${why}; a generic event needs transportTimeNs or defaultTimeNs to be timed`);
    }
    return { event: genericEvent(line, this.opts as GenericOptions, rejected), position: pos };
  }
}
