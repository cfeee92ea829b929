/**
 * A file of signed notes, one after another (e.g. a log's checkpoints.log):
 * each note is its text, a blank line and its signature lines; blank lines
 * between notes are skipped. Pure.
 */
import { NoteError } from './note.js';

const SIG = '— ';

/** Splits the notes of a note log, each returned exactly as it was signed. */
export function splitSignedNotes(text: string): string[] {
  const lines = text.split('\n');
  const notes: string[] = [];
  let i = 0;
  for (;;) {
    while (i < lines.length && lines[i] === '') i++;
    if (i >= lines.length) return notes;
    const start = i;
    while (i < lines.length && lines[i] !== '') i++;
    const body = lines.slice(start, i);
    i++; // the blank line
    const sigs: string[] = [];
    while (i < lines.length && lines[i].startsWith(SIG)) sigs.push(lines[i++]);
    if (sigs.length === 0) throw new NoteError('MALFORMED_NOTE', `note starting at line ${start + 1} has no signature lines`);
    notes.push(`${body.join('\n')}\n\n${sigs.join('\n')}\n`);
  }
}

/** Appends a note to a note log's text: the note, then a blank line. */
export function noteLogEntry(note: string): string {
  return `${note}\n`;
}
