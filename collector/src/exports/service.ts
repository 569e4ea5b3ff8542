/**
 * Which conversions go back to an ad platform: those whose visitor's last click of that
 * platform (carrying its click id) came within 90 days before the conversion, and whose
 * events had ads consent. The store finds them; the formatters write the files.
 */
import { CONSENT_ADS } from '../../../sdk/src/wire.ts'
import { dayRange } from '../reports/dates.ts'
import type { ConversionClick, ReportStore, TimeRange } from '../store/report-types.ts'
import type { Site } from '../store/types.ts'
import { CLICK_ID_TYPES, EXPORT_FORMATS, type ExportContext, type ExportPlatform } from './formats.ts'

/** Google's click-conversion window at its longest; Meta and Yandex accept no older clicks either. */
export const EXPORT_LOOKBACK_MS = 90 * 86_400_000

export interface ExportQuery {
  from: string
  to: string
  /** Conversion name, or null for every conversion. */
  conversion: string | null
}

/**
 * The conversions in a time range one platform can be told about, time-ordered.
 *
 * @example
 * await creditedConversions(store.reports, site, 'meta', dayRange('2026-11-01', '2026-11-30', site.timezone), 'purchase')
 */
export function creditedConversions(rs: ReportStore, site: Site, platform: ExportPlatform, range: TimeRange, conversion: string | null): Promise<ConversionClick[]> {
  return rs.conversionClicks(site.id, {
    range, conversion, clickIdTypes: CLICK_ID_TYPES[platform], lookbackMs: EXPORT_LOOKBACK_MS, consentMask: CONSENT_ADS,
  })
}

/**
 * The platform's file for a date range, with its media type, a file name and how many conversions it holds.
 *
 * @example
 * const file = await exportFile(store.reports, site, 'google-ads', { from, to, conversion: 'purchase' }, {})
 * // { body: 'Parameters:TimeZone=UTC\r\n…', type: 'text/csv; charset=utf-8', filename: 'shop-google-ads-purchase-2026-11-01-2026-11-30.csv', count: 12 }
 */
export async function exportFile(rs: ReportStore, site: Site, platform: ExportPlatform, q: ExportQuery, opts: Pick<ExportContext, 'googleAccount' | 'googleConversionAction'>): Promise<{ body: string; type: string; filename: string; count: number }> {
  const conversions = await creditedConversions(rs, site, platform, dayRange(q.from, q.to, site.timezone), q.conversion)
  const f = EXPORT_FORMATS[platform]
  const safe = (s: string) => s.replace(/[^\w.-]/g, '_')
  return {
    body: f.format(conversions, { timezone: site.timezone, currency: site.currency, ...opts }),
    type: f.type,
    filename: `${safe(site.id)}-${platform}-${safe(q.conversion ?? 'all')}-${q.from}-${q.to}.${f.ext}`,
    count: conversions.length,
  }
}
