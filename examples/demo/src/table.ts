/** Minimal ANSI table output for the demo (colour off with NO_COLOR or a non-TTY). */
const useColor = process.stdout.isTTY && !process.env['NO_COLOR'];
const wrap = (code: number) => (text: string) =>
  useColor ? `\u001b[${code}m${text}\u001b[0m` : text;
export const green = wrap(32);
export const red = wrap(31);
export const yellow = wrap(33);
export const cyan = wrap(36);
export const dim = wrap(2);
export const bold = wrap(1);

// eslint-disable-next-line no-control-regex -- matching ANSI escape sequences is the point
const ANSI = /\u001b\[[0-9;]*m/g;
const width = (text: string): number => text.replace(ANSI, '').length;

/** Prints rows as an aligned table with a header. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join('  ');
  console.log(bold(line(header)));
  console.log(dim(widths.map((w) => '─'.repeat(w)).join('  ')));
  for (const row of rows) console.log(line(row));
}
