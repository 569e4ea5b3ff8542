/**
 * A site's ad platform destinations, under `/api/sites/:site/destinations`: set one per
 * platform (its token is stored, never shown again), list them, remove one, and see each
 * conversion's delivery status.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import { systemClock } from '../clock.ts'
import { readJsonBody } from '../http/body.ts'
import { apiError } from '../http/errors.ts'
import { DESTINATION_PLATFORMS, type DestinationPlatform } from '../exports/senders.ts'
import type { Destination } from '../store/ads-types.ts'
import { siteAccess } from './site-access.ts'

const token = z.string().trim().min(8, 'too short for a token').max(2048)
const conversion = z.string().min(1).max(200).nullable().default(null)
const digits = (what: string, max = 20) => z.string().regex(new RegExp(`^\\d{1,${max}}$`), `${what}: digits only`)

/** Per platform: the non-secret settings, and which field is the secret. */
export const BODIES: Record<DestinationPlatform, { schema: z.ZodType<{ conversion: string | null } & Record<string, unknown>>; secret: string }> = {
  meta: { schema: z.strictObject({ pixelId: digits('the pixel (dataset) id'), accessToken: token, conversion }), secret: 'accessToken' },
  'google-data-manager': {
    schema: z.strictObject({
      customerId: z.string().regex(/^\d{10}$/, 'the 10-digit Google Ads customer id, no dashes'),
      conversionAction: digits('the conversion action id'), accessToken: token, conversion,
    }),
    secret: 'accessToken',
  },
  'yandex-metrica': { schema: z.strictObject({ counterId: digits('the counter id'), oauthToken: token, conversion }), secret: 'oauthToken' },
}

/** A destination as the API shows it: everything but the token. */
function shown(d: Destination) {
  return { platform: d.platform, ...d.config, conversion: d.conversion, created: new Date(d.created).toISOString(), token: 'set' }
}

/**
 * The destination routes, to mount at `/api/sites`.
 *
 * @example
 * app.route('/api/sites', destinationRoutes(deps))
 * // PUT /api/sites/shop/destinations/meta  { "pixelId": "123", "accessToken": "EAAB…", "conversion": "purchase" }
 */
export function destinationRoutes(deps: AppDeps): Hono {
  const app = new Hono()
  const { admin, siteOf } = siteAccess(deps)
  const clock = deps.clock ?? systemClock
  const platformOf = (p: string | undefined): DestinationPlatform => {
    const r = z.enum(DESTINATION_PLATFORMS).safeParse(p)
    if (!r.success) throw apiError(404, 'unknown_platform', `Destinations are ${DESTINATION_PLATFORMS.join(', ')} (Google Ads CSV is uploaded by hand)`)
    return r.data
  }

  app.put('/:site/destinations/:platform', admin, async function putDestination(c) {
    const site = await siteOf(c)
    const platform = platformOf(c.req.param('platform'))
    const { schema, secret } = BODIES[platform]
    const r = schema.safeParse(await readJsonBody(c))
    if (!r.success) {
      const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
      throw apiError(400, 'invalid_destination', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues)
    }
    const { conversion: name, [secret]: value, ...config } = r.data
    const d: Destination = { site: site.id, platform, config: config as Record<string, string>, secret: value as string, conversion: name, created: clock.now() }
    await deps.store.reports.ads.putDestination(d)
    return c.json(shown(d))
  })

  app.get('/:site/destinations', admin, async function listDestinations(c) {
    const site = await siteOf(c)
    const counts = await deps.store.reports.ads.deliveryCounts(site.id)
    const destinations = (await deps.store.reports.ads.destinations(site.id)).map((d) => ({
      ...shown(d),
      deliveries: Object.fromEntries(counts.filter((x) => x.platform === d.platform).map((x) => [x.status, x.n])),
    }))
    return c.json({ destinations })
  })

  app.delete('/:site/destinations/:platform', admin, async function deleteDestination(c) {
    const site = await siteOf(c)
    const platform = platformOf(c.req.param('platform'))
    if (!(await deps.store.reports.ads.deleteDestination(site.id, platform))) throw apiError(404, 'not_found', `No ${platform} destination`)
    return c.json({ deleted: true })
  })

  app.get('/:site/destinations/:platform/deliveries', admin, async function deliveries(c) {
    const site = await siteOf(c)
    const platform = platformOf(c.req.param('platform'))
    const rows = await deps.store.reports.ads.deliveries(site.id, platform, 1000)
    return c.json({
      deliveries: rows.map((r) => ({ ...r, ts: new Date(r.ts).toISOString(), sentAt: r.sentAt === null ? null : new Date(r.sentAt).toISOString() })),
    })
  })

  return app
}
