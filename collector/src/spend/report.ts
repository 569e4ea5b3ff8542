/**
 * What the three ad platform exports share: lines of text (a title, a date range) before
 * a header row, a header in one of a few languages, a separator (comma, tab or semicolon),
 * totals rows to leave out, and numbers written the way that language writes them. A
 * platform module describes its columns in each language; this module finds the header,
 * reads each data line into one draft row per day, and sums drafts that share a key.
 */
import { parseDelimited, type TableRow } from '../http/csv.ts'
import type { SpendRow } from '../store/report-types.ts'
import { failAt, fail, type SkippedLine, type SpendFailure, type SpendFormat, type SpendImport, type SpendOptions } from './types.ts'
import { parseAmount, parseCount, parseDate, type DecimalMark } from './values.ts'

/** More data lines than a year of 300 campaigns per day would be an unusual spend file. */
export const MAX_IMPORT_ROWS = 200_000
/** Title and date-range lines come first; the header is within this many rows. */
const HEADER_SCAN = 30

/** A column of a report: the names it has in one language (compared trimmed and lower-cased). */
export type ColumnNames = readonly (string | RegExp)[]

export interface Dialect<K extends string> {
  /** e.g. `en`, `de`: reported nowhere, it only makes tests readable. */
  lang: string
  decimal: DecimalMark
  slash?: 'dmy' | 'mdy'
  columns: Record<K, ColumnNames>
  /** Keys that must be in the header for this dialect to be the one (first matching wins). */
  required: readonly K[]
}

export interface ReportSpec<K extends string> {
  format: SpendFormat
  source: string
  medium: string
  delimiters: readonly string[]
  dialects: readonly Dialect<K>[]
}

/** The located header of a report. */
export interface Header<K extends string> {
  dialect: Dialect<K>
  /** Column index per key found. */
  index: Partial<Record<K, number>>
  /** The header cell as written, per key, for error messages. */
  names: Partial<Record<K, string>>
  /** Rows after the header. */
  data: TableRow[]
}

function matches(cell: string, names: ColumnNames): boolean {
  const c = cell.trim().toLowerCase()
  return names.some((n) => (typeof n === 'string' ? c === n.toLowerCase() : n.test(cell.trim())))
}

/**
 * Finds the header row of a report in text, trying each separator and each dialect.
 *
 * @example
 * findHeader(text, googleAdsSpec) // { dialect: { lang: 'de', … }, index: { date: 0, campaign: 1, … }, data: [...] }
 */
export function findHeader<K extends string>(text: string, spec: ReportSpec<K>): Header<K> | null {
  for (const delimiter of spec.delimiters) {
    if (!text.includes(delimiter)) continue
    const table = parseDelimited(text, delimiter)
    if (typeof table === 'string') continue
    for (let r = 0; r < Math.min(HEADER_SCAN, table.length); r++) {
      const cells = table[r].fields
      for (const dialect of spec.dialects) {
        const index: Partial<Record<K, number>> = {}
        const names: Partial<Record<K, string>> = {}
        for (const key of Object.keys(dialect.columns) as K[]) {
          const i = cells.findIndex((c) => matches(c, dialect.columns[key]))
          if (i >= 0) { index[key] = i; names[key] = cells[i].trim() }
        }
        if (dialect.required.every((k) => index[k] !== undefined)) return { dialect, index, names, data: table.slice(r + 1) }
      }
    }
  }
  return null
}

/** One line's contribution to one day, before rows sharing a key are summed. */
export interface Draft {
  line: number
  date: string
  campaign: string
  campaignId: string | null
  cost: number
  impressions: number
  clicks: number
  currency: string
}

/** Reads typed cells of one data line, failing with the line and the header's own column name. */
export class LineReader<K extends string> {
  constructor(private readonly h: Header<K>, readonly row: TableRow) {}

  has(key: K): boolean {
    return this.h.index[key] !== undefined
  }

  text(key: K): string {
    const i = this.h.index[key]
    return i === undefined ? '' : (this.row.fields[i] ?? '').trim()
  }

  fail(key: K | null, reason: string): SpendFailure {
    return failAt(this.row.line, key === null ? null : (this.h.names[key] ?? key), reason)
  }

  date(key: K): string | SpendFailure {
    const raw = this.text(key)
    return parseDate(raw, this.h.dialect.slash) ?? this.fail(key, `"${raw.slice(0, 40)}" is not a date`)
  }

  amount(key: K): number | SpendFailure {
    const n = parseAmount(this.text(key), this.h.dialect.decimal)
    return n === null ? 0 : typeof n === 'number' ? n : this.fail(key, n.error)
  }

  /** A campaign name or id: null for an empty cell or the platforms' `--`. */
  name(key: K): string | null | SpendFailure {
    const s = this.text(key)
    if (s === '' || s === '--' || s === '-') return null
    return s.length > 200 ? this.fail(key, 'at most 200 characters') : s
  }

  count(key: K): number | SpendFailure {
    if (!this.has(key)) return 0
    const n = parseCount(this.text(key), this.h.dialect.decimal)
    return typeof n === 'number' ? n : this.fail(key, n.error)
  }
}

export function isFailure(x: unknown): x is SpendFailure {
  return typeof x === 'object' && x !== null && 'message' in x
}

/** Cost, impressions and clicks of a line, or the first cell that is not a number. */
export function measures<K extends string>(r: LineReader<K>, keys: { cost: K; impressions: K; clicks: K }): { cost: number; impressions: number; clicks: number } | SpendFailure {
  const cost = r.amount(keys.cost)
  if (isFailure(cost)) return cost
  const impressions = r.count(keys.impressions)
  if (isFailure(impressions)) return impressions
  const clicks = r.count(keys.clicks)
  if (isFailure(clicks)) return clicks
  return { cost, impressions, clicks }
}

type DayKey = 'date' | 'campaign' | 'campaignId' | 'cost' | 'impressions' | 'clicks'

/**
 * The cells of a one-day line (Google Ads, Yandex Direct): null when it names no campaign.
 *
 * @example
 * dayLine(new LineReader(header, row))
 * // { date: '2026-11-01', campaign: 'Brand', campaignId: '111', cost: 12.5, impressions: 1000, clicks: 40 }
 */
export function dayLine<K extends string>(r: LineReader<K | DayKey>): Omit<Draft, 'line' | 'currency'> | SpendFailure | null {
  const campaign = r.name('campaign')
  if (campaign === null || isFailure(campaign)) return campaign
  const date = r.date('date')
  if (isFailure(date)) return date
  const m = measures(r, { cost: 'cost', impressions: 'impressions', clicks: 'clicks' })
  if (isFailure(m)) return m
  const campaignId = r.name('campaignId')
  if (isFailure(campaignId)) return campaignId
  return { date, campaign, campaignId, ...m }
}

/** Amounts are summed in millionths so a file's many rows add up without float drift. */
const SCALE = 1_000_000

/**
 * Sums drafts sharing (date, campaign) — a report by ad group or a row per device gives
 * several — and turns them into stored rows with the platform's (or the given) source
 * and medium. A campaign spent in two currencies on one day is an error: the store keeps
 * one currency per row.
 *
 * @example
 * finish(googleAdsSpec, drafts, skipped, { currency: 'EUR' })
 * // { format: 'google-ads', rows: [{ date, source: 'google', medium: 'cpc', campaign, campaignId, cost, … }], skipped }
 */
export function finish<K extends string>(spec: ReportSpec<K>, drafts: Draft[], skipped: SkippedLine[], opts: SpendOptions): SpendImport | SpendFailure {
  if (drafts.length === 0) return fail(`No spend rows found in the ${spec.format} file`)
  if (drafts.length > MAX_IMPORT_ROWS) return fail(`At most ${MAX_IMPORT_ROWS} spend rows per upload`)
  const source = (opts.source ?? spec.source).toLowerCase()
  const medium = (opts.medium ?? spec.medium).toLowerCase()
  const byKey = new Map<string, SpendRow & { micros: number; line: number }>()
  for (const d of drafts) {
    const key = JSON.stringify([d.date, d.campaign])
    const row = byKey.get(key)
    if (!row) {
      byKey.set(key, {
        date: d.date, source, medium, campaign: d.campaign, campaignId: d.campaignId, cost: 0, impressions: d.impressions,
        clicks: d.clicks, currency: d.currency, micros: Math.round(d.cost * SCALE), line: d.line,
      })
      continue
    }
    if (row.currency !== d.currency) {
      return failAt(d.line, null, `campaign "${d.campaign}" on ${d.date} is in ${d.currency} here and in ${row.currency} on line ${row.line}`)
    }
    row.micros += Math.round(d.cost * SCALE)
    row.impressions += d.impressions
    row.clicks += d.clicks
    row.campaignId ??= d.campaignId
  }
  const rows = [...byKey.values()].map(({ micros, line: _line, ...r }) => ({ ...r, cost: micros / SCALE }))
  return { format: spec.format, rows, skipped }
}

/** The currency a column header names: `Amount spent (EUR)`, `Расход (руб.)`. */
export function currencyInHeader(header: string | undefined): string | null {
  if (!header) return null
  const iso = /\(([A-Z]{3})\)/.exec(header)
  if (iso) return iso[1]
  const h = header.toLowerCase()
  if (/руб/.test(h)) return 'RUB'
  if (/тенге|тг\b/.test(h)) return 'KZT'
  if (/грн/.test(h)) return 'UAH'
  if (/сум/.test(h)) return 'UZS'
  return null
}
