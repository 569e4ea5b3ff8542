import { Hono } from 'hono'
import { randomBytes } from 'node:crypto'
import { hashSecret, requireAdmin } from '../http/auth.ts'
import { readJsonBody } from '../http/body.ts'
import { apiError } from '../http/errors.ts'
import { newSiteSchema, sitePatchSchema, zodIssues } from '../schemas/events.ts'
import type { Store } from '../store/types.ts'
import type { SiteCache } from '../http/site-cache.ts'
import type { Clock } from '../clock.ts'
import type { ConsentRegions } from '../privacy/consent-regions.ts'

/** A new site secret: `<site>.<32 random bytes, base64url>`. */
export function newSiteSecret(site: string): string {
  return `${site}.${randomBytes(32).toString('base64url')}`
}

/**
 * Creates a site and returns its secret (shown once; only its hash is stored).
 *
 * @example
 * const { secret } = await createSite(store, clock, { id: 'shop', origins: ['https://shop.example'] })
 */
export async function createSite(store: Store, clock: Clock, input: { id: string; origins: string[]; currency?: string; timezone?: string; consentRegions?: ConsentRegions }): Promise<{ id: string; secret: string } | null> {
  const secret = newSiteSecret(input.id)
  const created = await store.createSite({
    id: input.id, origins: input.origins, secretHash: hashSecret(secret), currency: input.currency ?? 'EUR',
    timezone: input.timezone ?? 'UTC', created: clock.now(), consentRegions: input.consentRegions ?? null,
  })
  return created ? { id: input.id, secret } : null
}

/** `GET|POST /api/sites`, `GET|PATCH /api/sites/:site` for the admin. */
export function siteRoutes(deps: { store: Store; clock: Clock; adminToken: () => string; sites: SiteCache }): Hono {
  const app = new Hono()
  const admin = requireAdmin(deps.adminToken)
  app.get('/api/sites', admin, async function listSites(c) {
    return c.json((await deps.store.listSites()).map(({ secretHash: _hidden, ...pub }) => pub))
  })
  app.post('/api/sites', admin, async function postSite(c) {
    const r = newSiteSchema.safeParse(await readJsonBody(c))
    if (!r.success) throw apiError(400, 'invalid_site', 'Invalid site', zodIssues(r.error))
    const made = await createSite(deps.store, deps.clock, r.data)
    if (!made) throw apiError(409, 'site_exists', `Site ${r.data.id} already exists`)
    return c.json(made, 201)
  })
  app.get('/api/sites/:site', admin, async function getSite(c) {
    const site = await deps.store.getSite(c.req.param('site'))
    if (!site) throw apiError(404, 'unknown_site', 'No such site')
    const { secretHash: _hidden, ...pub } = site
    return c.json(pub)
  })
  app.patch('/api/sites/:site', admin, async function patchSite(c) {
    const id = c.req.param('site')
    if (!(await deps.store.getSite(id))) throw apiError(404, 'unknown_site', 'No such site')
    const r = sitePatchSchema.safeParse(await readJsonBody(c))
    if (!r.success) throw apiError(400, 'invalid_site', 'Invalid site', zodIssues(r.error))
    await deps.store.updateSite(id, r.data)
    deps.sites.forget(id)
    const { secretHash: _hidden, ...pub } = (await deps.store.getSite(id))!
    return c.json(pub)
  })
  return app
}
