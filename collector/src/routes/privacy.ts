/**
 * Data-subject requests, for the admin: `GET` exports everything stored about a visitor id
 * or a user id on a site as JSON, `DELETE` erases it and answers how many rows went.
 * Which rows belong to a user id is decided in `privacy/subject.ts`. Each request is
 * audited in the log with a hash prefix of the id, never the id itself.
 */
import { createHash } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { requireAdmin } from '../http/auth.ts'
import { apiError } from '../http/errors.ts'
import type { Store } from '../store/types.ts'
import type { Erased, Subject } from '../store/trust-types.ts'

const subjectId = z.string().min(1).max(200)

/**
 * What the audit line names instead of the id: 12 hex characters of its SHA-256, enough to
 * match a request to its log line, not enough to read the id back.
 *
 * @example
 * auditId('u-42') // '6b1f0e…' (12 characters)
 */
export function auditId(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 12)
}

/**
 * The privacy routes (full paths; mount at `/`). An erasure rewrites pending inbox rows
 * under new seqs, so a derivation step that read one before is rolled back; it then lets
 * derivation catch up (`settle`) and runs again, and has derivation drop the sessions it
 * remembers (`forget`), so nothing erased is written back.
 *
 * @example
 * app.route('/', privacyRoutes({ store, adminToken: () => config.adminToken, settle: () => deriver.settle(), log }))
 */
export function privacyRoutes(deps: { store: Store; adminToken: () => string; settle: () => Promise<void>; forget?: () => void; log: (msg: string) => void }): Hono {
  const app = new Hono()
  const admin = requireAdmin(deps.adminToken)

  async function subjectOf(c: Context, kind: Subject['kind']): Promise<{ site: string; subject: Subject }> {
    const site = await deps.store.getSite(c.req.param('site') ?? '')
    if (!site) throw apiError(404, 'unknown_site', 'No such site')
    const id = subjectId.safeParse(c.req.param('id'))
    if (!id.success) throw apiError(400, 'invalid_id', `The ${kind} id must be 1-200 characters`)
    return { site: site.id, subject: { kind, id: id.data } }
  }

  for (const [path, kind] of [['visitors', 'visitor'], ['users', 'user']] as const) {
    app.get(`/api/sites/:site/${path}/:id`, admin, async function exportSubject(c) {
      const { site, subject } = await subjectOf(c, kind)
      const data = await deps.store.trust.exportSubject(site, subject)
      deps.log(`privacy: export ${kind} ${auditId(subject.id)} on site ${site}: ${data.events.length} events, ${data.sessions.length} sessions, ${data.pending.length} pending, ${data.quarantine.length} quarantined`)
      return c.json({ site, [kind]: subject.id, ...data }, 200, { 'cache-control': 'no-store' })
    })

    app.delete(`/api/sites/:site/${path}/:id`, admin, async function eraseSubject(c) {
      const { site, subject } = await subjectOf(c, kind)
      const first = await deps.store.trust.eraseSubject(site, subject)
      // Derivation must not write back a session it remembered from before the erasure.
      deps.forget?.()
      await deps.settle()
      const second = await deps.store.trust.eraseSubject(site, subject)
      deps.forget?.()
      const erased = Object.fromEntries(Object.keys(first).map((k) => [k, first[k as keyof Erased] + second[k as keyof Erased]])) as unknown as Erased
      deps.log(`privacy: erase ${kind} ${auditId(subject.id)} on site ${site}: ${erased.events} events, ${erased.sessions} sessions, ${erased.pending} pending, ${erased.quarantine} quarantined, ${erased.userHashes} hashed users, ${erased.outbox} outbox`)
      return c.json({ site, erased })
    })
  }
  return app
}
