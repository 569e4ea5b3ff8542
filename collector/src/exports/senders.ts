/**
 * The HTTP request that hands a batch of conversions to a platform's API, built from the
 * same formatters as the export files. Pure: the outbox worker sends what this builds.
 *
 * - Meta: `POST {base}/v21.0/{pixelId}/events`, the Conversions API body plus `access_token`.
 * - Google: `POST {base}/v1/events:ingest`, `Authorization: Bearer {OAuth access token}`.
 * - Yandex: `POST {base}/management/v1/counter/{counterId}/offline_conversions/upload?client_id_type=YCLID`,
 *   the CSV as a multipart `file`, `Authorization: OAuth {token}`.
 */
import type { AdPlatformUrls } from '../config.ts'
import type { Destination } from '../store/ads-types.ts'
import type { ConversionClick } from '../store/report-types.ts'
import { googleDataManagerJson, metaCapiJson, yandexMetricaCsv, type ExportContext } from './formats.ts'

export const META_API_VERSION = 'v21.0'

/** The platforms a destination can be: those with an API to send to (Google's CSV is uploaded by hand). */
export const DESTINATION_PLATFORMS = ['meta', 'google-data-manager', 'yandex-metrica'] as const
export type DestinationPlatform = (typeof DESTINATION_PLATFORMS)[number]

/**
 * The request for a batch.
 *
 * @example
 * const { url, init } = deliveryRequest(destination, conversions, { timezone: 'UTC', currency: 'EUR' }, config.adPlatforms)
 * await fetch(url, init)
 */
export function deliveryRequest(d: Destination, conversions: ConversionClick[], ctx: ExportContext, urls: AdPlatformUrls): { url: string; init: RequestInit } {
  switch (d.platform as DestinationPlatform) {
    case 'meta': {
      const body = JSON.parse(metaCapiJson(conversions, ctx)) as Record<string, unknown>
      return {
        url: `${urls.meta}/${META_API_VERSION}/${encodeURIComponent(d.config.pixelId)}/events`,
        init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, access_token: d.secret }) },
      }
    }
    case 'google-data-manager':
      return {
        url: `${urls.googleDataManager}/v1/events:ingest`,
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${d.secret}` },
          body: googleDataManagerJson(conversions, { ...ctx, googleAccount: d.config.customerId, googleConversionAction: d.config.conversionAction }),
        },
      }
    case 'yandex-metrica': {
      const form = new FormData()
      form.set('file', new Blob([yandexMetricaCsv(conversions, ctx)], { type: 'text/csv' }), 'conversions.csv')
      return {
        url: `${urls.yandexMetrica}/management/v1/counter/${encodeURIComponent(d.config.counterId)}/offline_conversions/upload?client_id_type=YCLID`,
        init: { method: 'POST', headers: { authorization: `OAuth ${d.secret}` }, body: form },
      }
    }
    default:
      throw new Error(`no sender for platform ${d.platform}`)
  }
}
