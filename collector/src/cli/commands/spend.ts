/** `funnelbeam spend import`: a spend file into a site, as PUT /api/sites/:site/spend does. */
import { readFile } from 'node:fs/promises'
import { parseSpendFile, SPEND_FORMATS, spendFormatOf } from '../../reports/spend-import.ts'
import { CliError, str, UsageError, type Command } from '../command.ts'
import { requireSite, withStore } from '../context.ts'

const CHUNK_ROWS = 1000

export const spendImport: Command = {
  path: ['spend', 'import'],
  summary: 'Imports ad spend from a file. Rows with the same date, source, medium and campaign replace each other, so importing again is harmless.',
  args: ['<site>', '<file>'],
  options: {
    format: { type: 'string', value: '<name>', description: `file format: ${Object.keys(SPEND_FORMATS).join(', ')} (default: by extension, else csv)` },
    source: { type: 'string', value: '<source>', description: 'utm_source for rows whose file has no source column (e.g. google)' },
    medium: { type: 'string', value: '<medium>', description: 'utm_medium for rows whose file has no medium column (e.g. cpc)' },
  },
  details: 'CSV header: date,source,medium,campaign,cost,impressions,clicks[,currency]; JSON: an array of the same objects.\n' +
    'A bad row fails the whole import, naming its line and column; nothing is written then.',
  async run(inv) {
    const [siteId, file] = inv.positionals
    const format = spendFormatOf(file, str(inv, 'format'))
    if (!SPEND_FORMATS[format]) throw new UsageError(`unknown --format ${format} (known: ${Object.keys(SPEND_FORMATS).join(', ')})`)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    const written = await withStore(inv, async ({ store }) => {
      const site = await requireSite(store, siteId)
      const parsed = parseSpendFile(text, format, { currency: site.currency, source: str(inv, 'source'), medium: str(inv, 'medium') })
      if ('message' in parsed) {
        const hint = /missing: .*(source|medium)/.test(parsed.message) ? ' (or name them for every row with --source and --medium)' : ''
        throw new CliError(`${file}: ${parsed.message}${hint}`)
      }
      inv.progress.start('spend rows', parsed.rows.length)
      let n = 0
      for (let i = 0; i < parsed.rows.length; i += CHUNK_ROWS) {
        n += await store.reports.upsertSpend(site.id, parsed.rows.slice(i, i + CHUNK_ROWS))
        inv.progress.update(Math.min(parsed.rows.length, i + CHUNK_ROWS))
      }
      inv.progress.stop()
      return n
    })
    inv.out.result(`Imported ${written.toLocaleString('en')} spend rows into ${siteId}.`, { site: siteId, upserted: written })
  },
}
