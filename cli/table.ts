/** Columns padded to their widest cell; numeric columns (right) aligned on the right. */
export function renderTable(headers: string[], rows: string[][], right: boolean[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/**
 * Decimal strings with their fraction padded with zeros to a common length (at least 2), so
 * they line up on the point without rounding a digit away: "12.5" and "3.125" give "12.500" and
 * "3.125".
 */
export function alignDecimals(amounts: string[]): string[] {
  const frac = (a: string) => (a.includes('.') ? a.split('.')[1].length : 0);
  const digits = Math.max(2, ...amounts.map(frac));
  return amounts.map((a) => {
    const [int, f = ''] = (a || '0').split('.');
    return `${int}.${f.padEnd(digits, '0')}`;
  });
}
