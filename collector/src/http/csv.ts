/**
 * CSV in and out, RFC 4180: comma separated, CRLF line ends, fields quoted when they hold
 * a comma, quote or line break, quotes doubled.
 *
 * Text cells that start with = + - @ (or a tab / carriage return) get a leading `'`, so a
 * spreadsheet opening an export never runs a formula smuggled in through a UTM tag.
 * Numbers are left alone: -0.05 is a lift, not a formula.
 */

type Cell = string | number | boolean | null | undefined

function cell(v: Cell): string {
  if (v === null || v === undefined) return ''
  let s = String(v)
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * Nested objects and arrays become dotted columns: `{ revenue: { EUR: 5 } }` → `revenue.EUR`.
 *
 * @example
 * flatten({ a: 1, revenue: { EUR: 5 }, ci: [1, 2] }) // { a: 1, 'revenue.EUR': 5, 'ci.0': 1, 'ci.1': 2 }
 */
export function flatten(row: Record<string, unknown>, prefix = '', out: Record<string, Cell> = {}): Record<string, Cell> {
  for (const [k, v] of Object.entries(row)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (v !== null && typeof v === 'object') flatten(v as Record<string, unknown>, key, out)
    else out[key] = v as Cell
  }
  return out
}

/**
 * One CSV line (with its CRLF) of plain cells, for writers that stream rows.
 *
 * @example
 * csvLine(['a,b', 1, null]) // '"a,b",1,\r\n'
 */
export function csvLine(cells: Cell[]): string {
  return cells.map(cell).join(',') + '\r\n'
}

/**
 * Rows (objects, nested allowed) as CSV with a header: the union of all flattened keys in
 * first-seen order.
 *
 * @example
 * toCsv([{ channel: 'Email', revenue: { EUR: 10 } }]) // 'channel,revenue.EUR\r\nEmail,10\r\n'
 */
export function toCsv(rows: Record<string, unknown>[]): string {
  const flat = rows.map((r) => flatten(r))
  const cols: string[] = []
  const seen = new Set<string>()
  for (const r of flat) for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); cols.push(k) }
  const lines = [cols.map(cell).join(',')]
  for (const r of flat) lines.push(cols.map((c) => cell(r[c])).join(','))
  return lines.join('\r\n') + '\r\n'
}

/** A parsed row and the line of the text it starts on (1-based). */
export interface TableRow {
  line: number
  fields: string[]
}

/**
 * Parses delimited text (CSV, or tab- or semicolon-separated as ad platforms export it)
 * into rows that keep their line numbers, so an error can name the line a person sees in
 * their editor. Accepts CRLF or LF line ends and a leading BOM; skips blank lines. Answers
 * an error message for an unterminated quote.
 *
 * @example
 * parseDelimited('a;b\n\n"x; y";2\n', ';') // [{ line: 1, fields: ['a', 'b'] }, { line: 3, fields: ['x; y', '2'] }]
 */
export function parseDelimited(text: string, delimiter = ','): TableRow[] | string {
  const rows: TableRow[] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let rowLine = 1
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const endRow = () => {
    row.push(field)
    if (!(row.length === 1 && row[0] === '')) rows.push({ line: rowLine, fields: row })
    row = []
    field = ''
    rowLine = ++line
  }
  for (; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++ } else quoted = false
      } else {
        if (ch === '\n') line++
        field += ch
      }
    } else if (ch === '"' && field === '') quoted = true
    else if (ch === delimiter) { row.push(field); field = '' }
    else if (ch === '\n') endRow()
    else if (ch === '\r') { if (text[i + 1] === '\n') i++; endRow() }
    else field += ch
  }
  if (quoted) return `unterminated quoted field starting on line ${rowLine}`
  if (field !== '' || row.length) endRow()
  return rows
}

/**
 * Parses CSV text into rows of fields (see {@link parseDelimited}).
 *
 * @example
 * parseCsv('a,b\n"x, y",2\n') // [['a', 'b'], ['x, y', '2']]
 */
export function parseCsv(text: string): string[][] | string {
  const rows = parseDelimited(text)
  return typeof rows === 'string' ? rows : rows.map((r) => r.fields)
}
