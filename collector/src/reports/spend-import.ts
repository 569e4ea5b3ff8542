/**
 * Spend files for `funnelbeam spend import`: one table from format name to parser, so an
 * ad platform's export format is one more entry. The parsers are the ones `PUT /spend`
 * uses; this only adds what a file on disk needs (choosing the format, and `--source` /
 * `--medium` for exports that have no such columns).
 */
import { parseCsv } from '../http/csv.ts'
import { parseSpendCsv, parseSpendJson, type SpendParse } from './spend.ts'

export interface SpendFileOptions {
  /** The site's currency: rows without one get it. */
  currency: string
  /** Fills `source` / `medium` in rows whose file has no such column. */
  source?: string
  medium?: string
}

export type SpendFormat = (text: string, o: SpendFileOptions) => SpendParse

export const SPEND_FORMATS: Record<string, SpendFormat> = {
  csv: (text, o) => {
    const table = parseCsv(text)
    return parseSpendCsv(typeof table === 'string' ? text : csvWithDefaults(table, o), o.currency)
  },
  json: (text, o) => {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (err) {
      return { message: `Spend JSON: ${(err as Error).message}`, issues: [] }
    }
    const fill = (r: unknown) => (r && typeof r === 'object' && !Array.isArray(r)
      ? { ...(o.source !== undefined ? { source: o.source } : {}), ...(o.medium !== undefined ? { medium: o.medium } : {}), ...r } : r)
    return parseSpendJson(Array.isArray(body) ? body.map(fill) : body, o.currency)
  },
}

/**
 * The format a file is in: the one named, else by its extension (`.json`), else CSV.
 *
 * @example
 * spendFormatOf('spend.json') // 'json'
 */
export function spendFormatOf(file: string, named?: string): string {
  if (named) return named
  return /\.json$/i.test(file) ? 'json' : 'csv'
}

/**
 * Parses a spend file in the named format.
 *
 * @example
 * parseSpendFile('date,campaign,cost,impressions,clicks\n2026-11-01,brand,12.5,100,4\n', 'csv', { currency: 'EUR', source: 'google', medium: 'cpc' })
 */
export function parseSpendFile(text: string, format: string, o: SpendFileOptions): SpendParse {
  const parse = SPEND_FORMATS[format]
  if (!parse) return { message: `unknown spend format "${format}" (known: ${Object.keys(SPEND_FORMATS).join(', ')})`, issues: [] }
  return parse(text, o)
}

/** The table with `source` / `medium` columns added where the header lacks them and a default is given. */
function csvWithDefaults(table: string[][], o: SpendFileOptions): string {
  const [header = [], ...rows] = table
  const cols = header.map((h) => h.trim().toLowerCase())
  const add = (['source', 'medium'] as const).filter((c) => o[c] !== undefined && !cols.includes(c))
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
  return [[...header, ...add], ...rows.map((r) => [...r, ...add.map((c) => o[c]!)])]
    .map((r) => r.map(quote).join(',')).join('\n') + '\n'
}
