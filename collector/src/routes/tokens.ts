/**
 * Report tokens, per site, for the admin: `POST /api/sites/:site/tokens` makes one (the
 * token is in this answer only; its SHA-256 is stored), `GET` lists them without secrets,
 * `DELETE /api/sites/:site/tokens/:id` revokes one and signs out its dashboard sessions.
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { hashSecret, requireAdmin } from '../http/auth.ts'
import { newReportToken } from '../http/access.ts'
import { readJsonBody } from '../http/body.ts'
import { apiError } from '../http/errors.ts'
import { zodIssues } from '../schemas/events.ts'
import type { Store } from '../store/types.ts'
import type { Clock } from '../clock.ts'

/** The body of POST …/tokens (also read by the OpenAPI description). */
export const newTokenSchema = z.object({ label: z.string().trim().min(1).max(100).optional() }).strict()
const tokenId = z.string().regex(/^[0-9a-f]{16}$/)

/**
 * The token routes (full paths; mount at `/`).
 *
 * @example
 * app.route('/', tokenRoutes({ store, clock, adminToken: () => config.adminToken }))
 */
export function tokenRoutes(deps: { store: Store; clock: Clock; adminToken: () => string }): Hono {
  const app = new Hono()
  const admin = requireAdmin(deps.adminToken)

  async function siteOf(c: Context): Promise<string> {
    const site = await deps.store.getSite(c.req.param('site') ?? '')
    if (!site) throw apiError(404, 'unknown_site', 'No such site')
    return site.id
  }

  app.post('/api/sites/:site/tokens', admin, async function postToken(c) {
    const site = await siteOf(c)
    // The body is optional: no body, or `{ "label": "…" }`.
    const hasBody = Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') != null
    const r = newTokenSchema.safeParse(hasBody ? await readJsonBody(c, 4096) : {})
    if (!r.success) throw apiError(400, 'invalid_token_request', 'Expected {} or { "label": "…" } (1-100 characters)', zodIssues(r.error))
    const { id, token } = newReportToken()
    const created = deps.clock.now()
    await deps.store.trust.addToken({ id, site, hash: hashSecret(token), label: r.data.label ?? null, created })
    return c.json({ id, token, site, label: r.data.label ?? null, created: new Date(created).toISOString() }, 201)
  })

  app.get('/api/sites/:site/tokens', admin, async function listTokens(c) {
    const site = await siteOf(c)
    const tokens = await deps.store.trust.tokens(site)
    return c.json({ tokens: tokens.map((t) => ({ id: t.id, label: t.label, created: new Date(Number(t.created)).toISOString() })) })
  })

  app.delete('/api/sites/:site/tokens/:id', admin, async function revokeToken(c) {
    const site = await siteOf(c)
    const id = tokenId.safeParse(c.req.param('id'))
    if (!id.success || !(await deps.store.trust.revokeToken(site, id.data))) throw apiError(404, 'unknown_token', 'No such token on this site')
    return c.json({ revoked: id.data })
  })

  return app
}
