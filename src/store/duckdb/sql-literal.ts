/** A SQL string literal (standard SQL: quotes doubled, no backslash escapes), for the statements DuckDB takes no parameters in. */
export function sqlString(s: string): string {
  if (s.includes('\0')) throw new Error('a NUL character cannot be written into a SQL literal');
  return `'${s.replace(/'/g, "''")}'`;
}
