/**
 * Conversions in each ad platform's upload format. Pure: a list of conversions with their
 * credited click in, the file's text out, byte for byte what the platform documents.
 *
 * - Google Ads offline click conversions (CSV upload): `Parameters:TimeZone=…`, then one
 *   row per click id; time as `yyyy-MM-dd HH:mm:ss` in that zone (a `T` or an offset is
 *   refused by Google). GBRAID and WBRAID columns appear only when such clicks are present.
 * - Google Data Manager API: the JSON body of `POST datamanager.googleapis.com/v1/events:ingest`.
 * - Meta Conversions API: the JSON body of `POST graph.facebook.com/<version>/<pixel>/events`,
 *   `event_id` the browser event's id so Meta deduplicates it against the pixel.
 * - Yandex Metrica offline conversions: CSV `Yclid,Target,DateTime,Price,Currency`, Unix seconds.
 */
import type { ConversionClick } from '../store/report-types.ts'
import { localDateTime } from '../reports/dates.ts'

export const EXPORT_PLATFORMS = ['google-ads', 'google-data-manager', 'meta', 'yandex-metrica'] as const
export type ExportPlatform = (typeof EXPORT_PLATFORMS)[number]

/** The click id parameters each platform can take a conversion back by. */
export const CLICK_ID_TYPES: Record<ExportPlatform, string[]> = {
  'google-ads': ['gclid', 'gbraid', 'wbraid'],
  'google-data-manager': ['gclid', 'gbraid', 'wbraid'],
  meta: ['fbclid'],
  'yandex-metrica': ['yclid'],
}

export interface ExportContext {
  /** The site's IANA timezone (Google's file states it). */
  timezone: string
  /** Currency of conversions that named none. */
  currency: string
  /** Data Manager destination: the Google Ads customer id and conversion action id. */
  googleAccount?: string
  googleConversionAction?: string
}

/** A CSV cell for an upload file: quoted only when it must be; never altered otherwise (a click id is sacred). */
function cell(v: string | number | null): string {
  if (v === null) return ''
  const s = String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

const line = (cells: (string | number | null)[]) => cells.map(cell).join(',') + '\r\n'

const money = (c: ConversionClick, ctx: ExportContext) => (c.value === null ? [null, null] : [c.value, c.currency ?? ctx.currency])

/**
 * The Google Ads offline click-conversion upload file.
 *
 * @example
 * googleAdsCsv([{ clickIdType: 'gclid', clickId: 'Cj0K', name: 'purchase', ts: Date.UTC(2026, 10, 2, 10, 5), value: 500, currency: 'EUR', … }], { timezone: 'Europe/Berlin', currency: 'EUR' })
 * // 'Parameters:TimeZone=Europe/Berlin\r\nGoogle Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\nCj0K,purchase,2026-11-02 11:05:00,500,EUR\r\n'
 */
export function googleAdsCsv(conversions: ConversionClick[], ctx: ExportContext): string {
  const braids = conversions.some((c) => c.clickIdType !== 'gclid')
  let out = `Parameters:TimeZone=${ctx.timezone}\r\n`
  out += line(braids
    ? ['Google Click ID', 'GBRAID', 'WBRAID', 'Conversion Name', 'Conversion Time', 'Conversion Value', 'Conversion Currency']
    : ['Google Click ID', 'Conversion Name', 'Conversion Time', 'Conversion Value', 'Conversion Currency'])
  for (const c of conversions) {
    const ids = braids ? ['gclid', 'gbraid', 'wbraid'].map((t) => (c.clickIdType === t ? c.clickId : null)) : [c.clickId]
    out += line([...ids, c.name, localDateTime(ctx.timezone, c.ts), ...money(c, ctx)])
  }
  return out
}

/**
 * The Data Manager API `events:ingest` request body for the same conversions.
 *
 * @example
 * JSON.parse(googleDataManagerJson(conversions, { timezone: 'UTC', currency: 'EUR', googleAccount: '1234567890', googleConversionAction: '987' }))
 * // { destinations: [{ operatingAccount: { accountType: 'GOOGLE_ADS', accountId: '1234567890' }, productDestinationId: '987' }], events: [{ adIdentifiers: { gclid: … }, … }] }
 */
export function googleDataManagerJson(conversions: ConversionClick[], ctx: ExportContext): string {
  const hashed = conversions.some((c) => c.emailSha256 || c.phoneSha256)
  const body = {
    destinations: [{
      operatingAccount: { accountType: 'GOOGLE_ADS', accountId: ctx.googleAccount ?? 'GOOGLE_ADS_CUSTOMER_ID' },
      productDestinationId: ctx.googleConversionAction ?? 'CONVERSION_ACTION_ID',
    }],
    events: conversions.map((c) => ({
      adIdentifiers: { [c.clickIdType]: c.clickId },
      ...(c.value === null ? {} : { conversionValue: c.value, currency: c.currency ?? ctx.currency }),
      eventTimestamp: new Date(c.ts).toISOString(),
      transactionId: c.orderId ?? c.id,
      eventSource: 'WEB',
      ...(c.emailSha256 || c.phoneSha256 ? { userData: { userIdentifiers: userIdentifiers(c) } } : {}),
      // Only conversions whose events carried ads consent are exported at all.
      consent: { adUserData: 'CONSENT_GRANTED' },
    })),
    // Hashes are hex-encoded SHA-256; Google needs to be told only when there are any.
    ...(hashed ? { encoding: 'HEX' } : {}),
  }
  return JSON.stringify(body, null, 2) + '\n'
}

/** Enhanced conversions' identifiers as Data Manager wants them. */
function userIdentifiers(c: ConversionClick): Record<string, string>[] {
  const ids: Record<string, string>[] = []
  if (c.emailSha256) ids.push({ emailAddress: c.emailSha256 })
  if (c.phoneSha256) ids.push({ phoneNumber: c.phoneSha256 })
  return ids
}

/** Meta's standard event for the conversion names shops use most; other names go as custom events. */
const META_EVENTS: Record<string, string> = {
  purchase: 'Purchase', lead: 'Lead', sign_up: 'CompleteRegistration', signup: 'CompleteRegistration',
  complete_registration: 'CompleteRegistration', subscribe: 'Subscribe', start_trial: 'StartTrial',
  add_to_cart: 'AddToCart', begin_checkout: 'InitiateCheckout', initiate_checkout: 'InitiateCheckout', contact: 'Contact',
}

/**
 * The Conversions API request body.
 *
 * @example
 * JSON.parse(metaCapiJson([{ id: '0190…', name: 'purchase', ts, clickId: 'IwAR', clickTs, value: 200, currency: 'EUR', orderId: 'F-1', … }], ctx)).data[0]
 * // { event_name: 'Purchase', event_time: ts / 1000, event_id: '0190…', action_source: 'website', event_source_url: …, user_data: { fbc: 'fb.1.<clickTs>.IwAR' }, custom_data: { value: 200, currency: 'EUR', order_id: 'F-1' } }
 */
export function metaCapiJson(conversions: ConversionClick[], ctx: ExportContext): string {
  const data = conversions.map((c) => {
    const custom: Record<string, unknown> = {}
    if (c.value !== null) { custom.value = c.value; custom.currency = c.currency ?? ctx.currency }
    if (c.orderId !== null) custom.order_id = c.orderId
    return {
      event_name: META_EVENTS[c.name] ?? c.name,
      event_time: Math.floor(c.ts / 1000),
      event_id: c.id,
      action_source: 'website',
      ...((c.url ?? c.clickUrl) === null ? {} : { event_source_url: c.url ?? c.clickUrl }),
      user_data: {
        ...(c.emailSha256 ? { em: [c.emailSha256] } : {}),
        ...(c.phoneDigitsSha256 ? { ph: [c.phoneDigitsSha256] } : {}),
        fbc: `fb.1.${c.clickTs}.${c.clickId}`,
      },
      custom_data: custom,
    }
  })
  return JSON.stringify({ data }, null, 2) + '\n'
}

/**
 * The Yandex Metrica offline conversions upload file.
 *
 * @example
 * yandexMetricaCsv([{ clickId: '123456789', name: 'purchase', ts: 1793635800000, value: 8000, currency: 'RUB', … }], ctx)
 * // 'Yclid,Target,DateTime,Price,Currency\r\n123456789,purchase,1793635800,8000,RUB\r\n'
 */
export function yandexMetricaCsv(conversions: ConversionClick[], ctx: ExportContext): string {
  let out = line(['Yclid', 'Target', 'DateTime', 'Price', 'Currency'])
  for (const c of conversions) out += line([c.clickId, c.name, Math.floor(c.ts / 1000), ...money(c, ctx)])
  return out
}

/** Each platform's file: its formatter, media type and file extension. */
export const EXPORT_FORMATS: Record<ExportPlatform, { format: (c: ConversionClick[], ctx: ExportContext) => string; type: string; ext: string }> = {
  'google-ads': { format: googleAdsCsv, type: 'text/csv; charset=utf-8', ext: 'csv' },
  'google-data-manager': { format: googleDataManagerJson, type: 'application/json; charset=utf-8', ext: 'json' },
  meta: { format: metaCapiJson, type: 'application/json; charset=utf-8', ext: 'json' },
  'yandex-metrica': { format: yandexMetricaCsv, type: 'text/csv; charset=utf-8', ext: 'csv' },
}
