/**
 * Number formatting for the dashboard. Everything a marketer reads goes through here, so
 * missing values look the same everywhere (an em dash) and currencies are never mixed.
 */
import type { Money, MoneyRatio } from '../reports/types.ts'

const DASH = '—'
const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const decFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })

/** Whole numbers with separators; fractional credit (attribution) keeps one decimal. */
export function fmtCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return DASH
  return Number.isInteger(n) ? intFmt.format(n) : decFmt.format(n)
}

/** A share 0..1 as a percentage: `0.1234` → `12.3%`. */
export function fmtPercent(r: number | null | undefined, digits = 1): string {
  if (r == null || !Number.isFinite(r)) return DASH
  return `${(r * 100).toFixed(digits)}%`
}

/** A signed percentage for lifts: `+4.2%`, `−1.0%`. */
export function fmtLift(r: number | null | undefined): string {
  if (r == null || !Number.isFinite(r)) return DASH
  const s = (Math.abs(r) * 100).toFixed(1)
  return r > 0 ? `+${s}%` : r < 0 ? `−${s}%` : '0.0%'
}

/** One amount in its currency: `€1,234.50`. Unknown codes fall back to `1,234.50 XYZ`. */
export function fmtAmount(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: amount >= 1000 ? 0 : 2 }).format(amount)
  } catch {
    return `${amount.toFixed(2)} ${currency}`
  }
}

/** Money per currency, never summed across currencies: `€1,200 · $80`. */
export function fmtMoney(m: Money | null | undefined): string {
  const entries = Object.entries(m ?? {}).filter(([, v]) => Number.isFinite(v))
  if (!entries.length) return DASH
  return entries.sort(([a], [b]) => a.localeCompare(b)).map(([c, v]) => fmtAmount(v, c)).join(' · ')
}

/** A per-currency amount ratio such as CPA or CPC: `€12.40`. */
export function fmtMoneyRatio(m: MoneyRatio | null | undefined): string {
  const entries = Object.entries(m ?? {}).filter((e): e is [string, number] => e[1] != null && Number.isFinite(e[1]))
  if (!entries.length) return DASH
  return entries.sort(([a], [b]) => a.localeCompare(b)).map(([c, v]) => fmtAmount(v, c)).join(' · ')
}

/** A per-currency multiple such as ROAS: `3.25×`; with several currencies each is labelled. */
export function fmtMultiple(m: MoneyRatio | null | undefined): string {
  const entries = Object.entries(m ?? {}).filter((e): e is [string, number] => e[1] != null && Number.isFinite(e[1]))
  if (!entries.length) return DASH
  if (entries.length === 1) return `${entries[0][1].toFixed(2)}×`
  return entries.sort(([a], [b]) => a.localeCompare(b)).map(([c, v]) => `${c} ${v.toFixed(2)}×`).join(' · ')
}

/** Seconds as a short duration: `45s`, `12m`, `3.5h`, `2.1d`. */
export function fmtDuration(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return DASH
  if (s < 90) return `${Math.round(s)}s`
  if (s < 90 * 60) return `${Math.round(s / 60)}m`
  if (s < 36 * 3600) return `${(s / 3600).toFixed(1)}h`
  return `${(s / 86400).toFixed(1)}d`
}

/** How long ago a time was, for "last event received": `just now`, `5 min ago`, `3 h ago`. */
export function fmtAgo(ms: number | null, now: number): string {
  if (ms == null) return 'never'
  const s = Math.max(0, (now - ms) / 1000)
  if (s < 60) return 'just now'
  if (s < 3600) return `${Math.floor(s / 60)} min ago`
  if (s < 172_800) return `${Math.floor(s / 3600)} h ago`
  return `${Math.floor(s / 86400)} days ago`
}
