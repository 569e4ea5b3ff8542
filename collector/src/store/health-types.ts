/**
 * What the dashboard's tracking-health panel asks a store, with the hour bucketing both
 * the SQLite and the PostgreSQL queries share. Outside the `Store` interface: only the
 * dashboard needs it, and a store without it just shows less.
 */
import { SLOT_MS } from './report-types.ts'

export const HOUR_MS = 3_600_000

export interface HourCount {
  /** Start of the hour, ms since the epoch. */
  hour: number
  events: number
}

export interface ConsentShare {
  /** Consent bitmask: 1 analytics, 2 ads. */
  consent: number
  visitors: number
}

export interface EventCatalog {
  experiments: string[]
  conversions: string[]
  events: string[]
  /** The most visited paths, most first. */
  paths: string[]
}

export interface HealthQueries {
  /** Events per hour (by event time) for the 24 whole hours ending with the current one, zero-filled. */
  eventsPerHour(site: string, now: number): Promise<HourCount[]>
  /** When the site's newest event arrived (receive time), or null before the first one. */
  lastReceived(site: string): Promise<number | null>
  /**
   * Distinct visitors per consent state since `since` (anonymous visitors count by their
   * daily hash), most consent first. Read from the rollups when `since` starts a 15-minute
   * slot (`sinceSlot`), else from events.
   */
  consentShares(site: string, since: number): Promise<ConsentShare[]>
  /** The same straight from events, for any `since`; the rollups must agree with it. */
  scanConsentShares(site: string, since: number): Promise<ConsentShare[]>
  /**
   * Names seen since `since`, and the busiest paths among the latest `PATH_SAMPLE`
   * pageviews since then, for the dashboard's pickers.
   */
  eventNames(site: string, since: number): Promise<EventCatalog>
}

/** The 24 whole hours ending with the one `now` is in: `start <= ts < end`. */
export function hourWindow(now: number): { start: number; end: number } {
  const end = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS
  return { start: end - 24 * HOUR_MS, end }
}

/**
 * Puts counted hours into the 24-hour window, with zero where nothing was counted, so a
 * tag that stopped sending shows as a gap.
 *
 * @example
 * fillHours(hourWindow(now).start, [{ hour: h, events: 3 }]) // 24 rows
 */
export function fillHours(start: number, rows: HourCount[]): HourCount[] {
  const byHour = new Map(rows.map((r) => [r.hour, r.events]))
  return Array.from({ length: 24 }, (_, i) => ({ hour: start + i * HOUR_MS, events: byHour.get(start + i * HOUR_MS) ?? 0 }))
}

/** Splits `(type, name)` rows into the catalog's lists. */
/** How many of the latest pageviews the catalog's path suggestions are counted from. */
export const PATH_SAMPLE = 20_000

export function catalogOf(names: { type: string; name: string }[], paths: string[]): EventCatalog {
  const of = (type: string) => names.filter((r) => r.type === type).map((r) => r.name)
  return { experiments: of('exposure'), conversions: of('conversion'), events: of('event'), paths }
}

/** The start of the 15-minute slot holding `t`: a `since` the consent rollups can answer. */
export const sinceSlot = (t: number): number => Math.floor(t / SLOT_MS) * SLOT_MS

/** Consent states as the rollups keep them: `rollup_visitors` kind 2 + the consent bits (0 to 3). */
export const CONSENT_KINDS = [5, 4, 3, 2] as const
