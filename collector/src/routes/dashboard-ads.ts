/**
 * The dashboard's ad platform page, `/dashboard/:site/ads`: the spend upload form (a
 * multipart POST to `/dashboard/:site/spend`, same-origin only, behind the login cookie)
 * and the conversion exports per platform with their counts.
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import { systemClock } from '../clock.ts'
import { readBytesBody } from '../http/body.ts'
import { parseSummaryQuery, todayIn } from '../reports/service.ts'
import { dayRange } from '../reports/dates.ts'
import { AdsPage, type AdsPageData } from '../dashboard/ads-page.tsx'
import { MessagePage } from '../dashboard/layout.tsx'
import { loadCatalog } from '../dashboard/health.ts'
import { sameOrigin } from '../dashboard/session.ts'
import { dashboardSite } from './dashboard-site.ts'
import { EXPORT_PLATFORMS, type ExportPlatform } from '../exports/formats.ts'
import { creditedConversions } from '../exports/service.ts'
import { importSpend } from '../spend/import.ts'
import { SPEND_FORMATS } from '../spend/types.ts'
import type { Site } from '../store/types.ts'
import { dashboardHeaders } from './dashboard.ts'
import { MAX_SPEND_BYTES } from './spend.ts'

/** Room for the multipart envelope around the largest spend file. */
const MAX_FORM_BYTES = MAX_SPEND_BYTES + 16 * 1024
const label = z.string().trim().max(100).transform((s) => s.toLowerCase() || undefined)
/** The upload form's fields (also read by the OpenAPI description). */
export const uploadForm = z.object({
  file: z.instanceof(File),
  format: z.union([z.enum(SPEND_FORMATS), z.literal('')]).transform((f) => f || undefined),
  source: label,
  medium: label,
})

/**
 * The routes, to mount at `/dashboard`.
 *
 * @example
 * app.route('/dashboard', dashboardAdsRoutes(deps))
 */
export function dashboardAdsRoutes(deps: AppDeps): Hono {
  const app = new Hono()
  const clock = deps.clock ?? systemClock
  app.use('*', dashboardHeaders)
  const open = (c: Context) => dashboardSite(deps, c, 'ads')

  async function page(c: Context, site: Site, upload?: AdsPageData['upload']): Promise<AdsPageData> {
    const now = clock.now()
    const today = todayIn(site, now)
    let range
    try {
      range = parseSummaryQuery(new URL(c.req.url).searchParams, today)
    } catch {
      range = parseSummaryQuery(new URLSearchParams(), today)
    }
    await deps.deriver?.settle()
    const { conversions } = await loadCatalog(deps.store.reports, site.id, now)
    const exports = await Promise.all(conversions.map(async (conversion) => {
      const counts = {} as Record<ExportPlatform, number>
      for (const p of EXPORT_PLATFORMS) counts[p] = (await creditedConversions(deps.store.reports, site, p, dayRange(range.from, range.to, site.timezone), conversion)).length
      return { conversion, counts }
    }))
    const ads = deps.store.reports.ads
    const counts = await ads.deliveryCounts(site.id)
    const destinations = await Promise.all((await ads.destinations(site.id)).map(async (x) => ({
      platform: x.platform, conversion: x.conversion,
      counts: Object.fromEntries(counts.filter((n) => n.platform === x.platform).map((n) => [n.status, n.n])),
      latest: await ads.deliveries(site.id, x.platform, 20),
    })))
    return { site: site.id, ...range, today, exports, destinations, upload }
  }

  app.get('/:site/ads', async function adsPage(c) {
    const site = await open(c)
    if (site instanceof Response) return site
    return c.html(AdsPage({ d: await page(c, site) }))
  })

  app.post('/:site/spend', async function adsUpload(c) {
    if (!sameOrigin(c)) return c.html(MessagePage({ title: 'Upload refused', message: 'The form was sent from another site.' }), 403)
    const site = await open(c)
    if (site instanceof Response) return site
    const bytes = await readBytesBody(c, MAX_FORM_BYTES)
    const form = await new Response(bytes as BodyInit, { headers: { 'content-type': c.req.header('content-type') ?? '' } }).formData().catch(() => null)
    const f = uploadForm.safeParse(form ? Object.fromEntries(['file', 'format', 'source', 'medium'].map((k) => [k, form.get(k) ?? ''])) : {})
    let upload: AdsPageData['upload']
    if (!f.success) upload = { ok: false, error: 'choose a spend file to upload' }
    else {
      await deps.deriver?.settle()
      const result = await importSpend(deps.store, site, new Uint8Array(await f.data.file.arrayBuffer()), f.data)
      upload = 'message' in result ? { ok: false, error: result.message } : { ok: true, result }
    }
    return c.html(AdsPage({ d: await page(c, site, upload) }), upload.ok ? 200 : 400)
  })

  return app
}
