/** `funnelbeam site add|list|show`: the same rules as POST/GET /api/sites. */
import { newSiteSchema } from '../../schemas/events.ts'
import { createSite } from '../../routes/sites.ts'
import { systemClock } from '../../clock.ts'
import { CliError, str, UsageError, type Command } from '../command.ts'
import { publicSite, requireSite, withStore } from '../context.ts'

export const siteAdd: Command = {
  path: ['site', 'add'],
  summary: 'Creates a site and prints its secret (for POST /api/events) once; only its SHA-256 is stored.',
  args: ['<id>'],
  options: {
    origin: { type: 'string', multiple: true, value: '<url>', description: 'an origin allowed to send events: https://shop.example, https://*.shop.example, or without a port for any port' },
    currency: { type: 'string', value: '<code>', description: 'ISO 4217 currency of revenue and spend (default EUR)' },
    timezone: { type: 'string', value: '<zone>', description: 'IANA time zone whose days reports use (default UTC)' },
  },
  details: 'Example:\n  funnelbeam site add shop --origin https://shop.example --origin https://*.shop.example --currency EUR --timezone Europe/Berlin',
  async run(inv) {
    const origins = (inv.options.origin as string[] | undefined) ?? []
    const r = newSiteSchema.safeParse({ id: inv.positionals[0], origins, currency: str(inv, 'currency'), timezone: str(inv, 'timezone') })
    if (!r.success) throw new UsageError(r.error.issues.map((i) => `${i.path.join('.') || 'site'}: ${i.message}`).join('; '))
    const made = await withStore(inv, ({ store }) => createSite(store, systemClock, r.data))
    if (!made) throw new CliError(`site "${r.data.id}" already exists`)
    if (origins.length === 0) inv.out.note('note: no --origin given; browsers cannot send events until one is added (PATCH /api/sites/<id>)')
    inv.out.result(`Site "${made.id}" created.\nSecret (shown once; it authorizes POST /api/events for this site only):\n${made.secret}`, made)
  },
}

export const siteList: Command = {
  path: ['site', 'list'],
  summary: 'Lists the sites.',
  args: [],
  options: {},
  async run(inv) {
    const sites = (await withStore(inv, ({ store }) => store.listSites())).map(publicSite)
    const human = sites.length === 0 ? 'No sites yet (funnelbeam site add <id> --origin <url>).'
      : sites.map((s) => `${s.id.padEnd(20)} ${s.currency}  ${s.timezone.padEnd(20)} ${s.origins.join(' ')}`).join('\n')
    inv.out.result(human, sites)
  },
}

export const siteShow: Command = {
  path: ['site', 'show'],
  summary: 'Shows one site (never its secret).',
  args: ['<id>'],
  options: {},
  async run(inv) {
    const site = publicSite(await withStore(inv, ({ store }) => requireSite(store, inv.positionals[0])))
    inv.out.result([
      `id        ${site.id}`, `origins   ${site.origins.join(' ') || '(none)'}`, `currency  ${site.currency}`,
      `timezone  ${site.timezone}`, `created   ${site.created}`,
    ].join('\n'), site)
  },
}
