/**
 * Shapes shared by the spend importers: every format parses to the same rows, lines it
 * skipped on purpose, or one error naming where the file went wrong.
 */
import type { ErrorIssue } from '../http/errors.ts'
import type { SpendRow } from '../store/report-types.ts'

export const SPEND_FORMATS = ['canonical', 'google-ads', 'meta', 'yandex'] as const
export type SpendFormat = (typeof SPEND_FORMATS)[number]

export interface SpendOptions {
  /** The site's currency: used where a file names none. */
  currency: string
  /** Override the platform's default source and medium (platform formats only). */
  source?: string
  medium?: string
}

/** A line left out on purpose (a totals row, a summary row), and why. */
export interface SkippedLine {
  line: number
  reason: string
}

export interface SpendImport {
  format: SpendFormat
  rows: SpendRow[]
  skipped: SkippedLine[]
}

/** A file that cannot be imported; `line` and `column` say where when one place is at fault. */
export interface SpendFailure {
  message: string
  line?: number
  column?: string
  issues: ErrorIssue[]
}

export type SpendResult = SpendImport | SpendFailure

/**
 * Builds a failure at one line and column.
 *
 * @example
 * failAt(7, 'Cost', '"abc" is not a number') // { message: 'line 7, column "Cost": "abc" is not a number', line: 7, column: 'Cost', … }
 */
export function failAt(line: number, column: string | null, reason: string): SpendFailure {
  const message = column === null ? `line ${line}: ${reason}` : `line ${line}, column "${column}": ${reason}`
  return { message, line, ...(column === null ? {} : { column }), issues: [{ path: column ?? `line ${line}`, message }] }
}

/** A failure that concerns the whole file. */
export function fail(message: string): SpendFailure {
  return { message, issues: [] }
}
