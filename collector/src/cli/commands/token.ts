/** `funnelbeam token create|list|revoke`: report tokens, as POST/GET/DELETE /api/sites/:site/tokens. */
import { hashSecret } from '../../http/auth.ts'
import { newReportToken } from '../../http/access.ts'
import { newTokenSchema } from '../../routes/tokens.ts'
import { systemClock } from '../../clock.ts'
import { CliError, str, UsageError, type Command } from '../command.ts'
import { requireSite, withStore } from '../context.ts'

export const tokenCreate: Command = {
  path: ['token', 'create'],
  summary: 'Creates a report token for one site and prints it once. It opens the reading routes and the dashboard of that site only.',
  args: ['<site>'],
  options: { label: { type: 'string', value: '<text>', description: 'what the token is for (1-100 characters), shown by token list' } },
  async run(inv) {
    const r = newTokenSchema.safeParse({ label: str(inv, 'label') })
    if (!r.success) throw new UsageError('--label must be 1-100 characters')
    const made = await withStore(inv, async ({ store }) => {
      const site = await requireSite(store, inv.positionals[0])
      const { id, token } = newReportToken()
      const created = systemClock.now()
      await store.trust.addToken({ id, site: site.id, hash: hashSecret(token), label: r.data.label ?? null, created })
      return { id, token, site: site.id, label: r.data.label ?? null, created: new Date(created).toISOString() }
    })
    inv.out.result(`Report token ${made.id} for ${made.site} (shown once; only its hash is stored):\n${made.token}`, made)
  },
}

export const tokenList: Command = {
  path: ['token', 'list'],
  summary: "Lists a site's report tokens (ids and labels, never the tokens).",
  args: ['<site>'],
  options: {},
  async run(inv) {
    const tokens = await withStore(inv, async ({ store }) => {
      const site = await requireSite(store, inv.positionals[0])
      return (await store.trust.tokens(site.id)).map((t) => ({ id: t.id, label: t.label, created: new Date(Number(t.created)).toISOString() }))
    })
    inv.out.result(tokens.length ? tokens.map((t) => `${t.id}  ${t.created}  ${t.label ?? ''}`).join('\n') : 'No report tokens.', tokens)
  },
}

export const tokenRevoke: Command = {
  path: ['token', 'revoke'],
  summary: 'Revokes a report token; the dashboard sessions it opened end too.',
  args: ['<site>', '<id>'],
  options: {},
  async run(inv) {
    const [siteId, id] = inv.positionals
    if (!/^[0-9a-f]{16}$/.test(id)) throw new UsageError(`${JSON.stringify(id)} is not a token id (16 hex digits, from token list)`)
    await withStore(inv, async ({ store }) => {
      const site = await requireSite(store, siteId)
      if (!(await store.trust.revokeToken(site.id, id))) throw new CliError(`no token ${id} on site ${site.id}`)
    })
    inv.out.result(`Revoked ${id}.`, { revoked: id })
  },
}
