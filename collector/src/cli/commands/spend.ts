/** `funnelbeam spend import`: a spend file into a site, exactly as PUT /api/sites/:site/spend imports it. */
import { readFile } from 'node:fs/promises'
import { importSpend } from '../../spend/import.ts'
import { SPEND_FORMATS, type SpendFormat } from '../../spend/parse.ts'
import { CliError, str, UsageError, type Command } from '../command.ts'
import { catchUp, requireSite, withStore } from '../context.ts'

export const spendImport: Command = {
  path: ['spend', 'import'],
  summary: 'Imports ad spend from a file. Rows with the same date, source, medium and campaign replace each other, so importing again is harmless.',
  args: ['<site>', '<file>'],
  options: {
    format: { type: 'string', value: '<name>', description: `${SPEND_FORMATS.join(', ')} (default: detected from the file)` },
    source: { type: 'string', value: '<source>', description: "utm_source for a platform export's rows, instead of the platform's default (e.g. google)" },
    medium: { type: 'string', value: '<medium>', description: "utm_medium for a platform export's rows, instead of the platform's default (e.g. cpc)" },
  },
  details: 'Files: a Google Ads campaign report, a Meta Ads Manager export or a Yandex Direct report as downloaded\n' +
    '(any encoding), or canonical CSV (header date,source,medium,campaign,cost,impressions,clicks[,currency]) or\n' +
    'JSON (.json: an array of the same objects). A bad row fails the whole import, naming its line and column;\n' +
    'nothing is written then. Campaigns no tracked session matches are listed.',
  async run(inv) {
    const [siteId, file] = inv.positionals
    const format = str(inv, 'format')
    if (format !== undefined && !(SPEND_FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown --format ${format} (known: ${SPEND_FORMATS.join(', ')})`)
    let bytes: Uint8Array
    try {
      bytes = await readFile(file)
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    const result = await withStore(inv, async ({ store }) => {
      const site = await requireSite(store, siteId)
      // Sessions acknowledged before the import can then match its campaigns.
      await catchUp(store)
      return importSpend(store, site, bytes, {
        format: format as SpendFormat | undefined, json: /\.json$/i.test(file),
        source: str(inv, 'source')?.toLowerCase(), medium: str(inv, 'medium')?.toLowerCase(),
      })
    })
    if ('message' in result) throw new CliError(`${file}: ${result.message}`)
    const human = [
      `Imported ${result.upserted.toLocaleString('en')} spend rows (${result.format}) into ${siteId}.`,
      ...result.skipped.map((s) => `skipped line ${s.line}: ${s.reason}`),
      ...result.unmatchedCampaigns.map((c) => `no tracked session matches ${c.source} / ${c.medium} / ${c.campaign}${c.campaignId ? ` (id ${c.campaignId})` : ''}`),
    ].join('\n')
    inv.out.result(human, { site: siteId, ...result })
  },
}
