/**
 * One CSV cell (RFC 4180), safe to open in a spreadsheet: text beginning with =, +, -, @, a tab
 * or a carriage return is prefixed with ' so it is shown, never evaluated as a formula (CWE-1236);
 * cells holding a comma, a quote or a line break are quoted, with quotes doubled.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line, CRLF-terminated as RFC 4180 asks. */
export const csvRow = (cells: readonly (string | number | boolean | null | undefined)[]): string => `${cells.map(csvCell).join(',')}\r\n`;
