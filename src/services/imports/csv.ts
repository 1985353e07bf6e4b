/**
 * CSV as Mastodon reads and writes it (Ruby's CSV: RFC 4180, comma-separated, fields quoted only
 * when they must be, `""` for a quote inside quotes, LF line ends on output).
 */

/** A file that is not CSV: the reason names the line. */
export class CsvError extends Error {}

/** One line of CSV for `fields` (with its newline). */
export function csvLine(fields: (string | boolean | null | undefined)[]): string {
  return `${fields.map(csvField).join(",")}\n`;
}

function csvField(value: string | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) || text === "" ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Parses a whole CSV text into rows of fields. Blank lines are skipped (as Mastodon's
 * `skip_blanks`); a stray quote or an unclosed quoted field is a CsvError with its line number.
 * Stops with a CsvError once more than `maxRows` rows were read (the caller's cap).
 */
export function parseCsv(text: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field was quoted (nothing may follow its closing quote)
  let line = 1;
  let quoteLine = 1; // where the open quoted field started
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== "" || wasQuoted) {
      rows.push(row);
      if (rows.length > maxRows) throw new CsvError(`more than ${maxRows} rows`);
    }
    row = [];
    field = "";
    wasQuoted = false;
  };
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte order mark is not data
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === ",") {
      row.push(field);
      field = "";
      wasQuoted = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
    } else if (ch === '"') {
      if (field !== "" || wasQuoted) throw new CsvError(`Illegal quoting in line ${line}`);
      quoted = true;
      wasQuoted = true;
      quoteLine = line;
    } else {
      if (wasQuoted)
        throw new CsvError(`Any value after quoted field isn't allowed in line ${line}`);
      field += ch;
    }
  }
  if (quoted) throw new CsvError(`Unclosed quoted field in line ${quoteLine}`);
  if (field !== "" || row.length > 0 || wasQuoted) endRow();
  return rows;
}
