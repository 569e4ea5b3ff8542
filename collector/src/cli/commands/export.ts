/** `funnelbeam export`: a site's events as NDJSON or CSV, streamed (flat memory at any size). */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { dayRange, isCalendarDate } from '../../reports/dates.ts'
import { countEvents, exportEvents, EXPORT_COLUMNS, type ExportedEvent } from '../../store/event-export.ts'
import { csvLine } from '../../http/csv.ts'
import { CliError, str, UsageError, type Command } from '../command.ts'
import { catchUp, requireSite, withStore } from '../context.ts'

const FORMATS = ['ndjson', 'csv'] as const

export const exportCommand: Command = {
  path: ['export'],
  summary: "Exports a site's events as NDJSON or CSV. Dates are days in the site's time zone, both inclusive.",
  args: ['<site>'],
  options: {
    from: { type: 'string', value: '<YYYY-MM-DD>', description: 'first day (required)' },
    to: { type: 'string', value: '<YYYY-MM-DD>', description: 'last day, inclusive (required)' },
    format: { type: 'string', value: '<ndjson|csv>', description: 'output format (default ndjson)' },
    out: { type: 'string', short: 'o', value: '<file>', description: 'write here instead of stdout' },
  },
  details: 'Events acknowledged but not yet derived are derived first. Bot events are included (column bot).\n' +
    'With --json and --out, a summary { site, from, to, format, events, file } is printed on stdout.',
  async run(inv) {
    const [siteId] = inv.positionals
    const from = str(inv, 'from')
    const to = str(inv, 'to')
    const format = (str(inv, 'format') ?? 'ndjson') as (typeof FORMATS)[number]
    if (!from || !to) throw new UsageError('--from and --to are required')
    for (const [k, v] of [['--from', from], ['--to', to]]) if (!isCalendarDate(v)) throw new UsageError(`${k} must be a date like 2026-11-01, got ${JSON.stringify(v)}`)
    if (to < from) throw new UsageError('--to is before --from')
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be ndjson or csv, got ${JSON.stringify(format)}`)
    const file = str(inv, 'out')
    const n = await withStore(inv, async ({ store }) => {
      const site = await requireSite(store, siteId)
      await catchUp(store)
      const r = dayRange(from, to, site.timezone)
      const range = { from: r.start, to: r.end }
      const total = await countEvents(store, site.id, range)
      const sink = file ? createWriteStream(file) : inv.out.stdout as Writable
      const opened = file ? once(sink, 'open').catch((err: NodeJS.ErrnoException) => { throw new CliError(`cannot write ${file}: ${err.code ?? err.message}`) }) : null
      await opened
      const write = async (s: string) => { if (!sink.write(s)) await once(sink, 'drain') }
      if (format === 'csv') await write(csvLine(EXPORT_COLUMNS))
      inv.progress.start('events', total)
      let done = 0
      await exportEvents(store, site.id, range, async (page) => {
        await write(page.map(format === 'csv' ? csvOf : (e: ExportedEvent) => JSON.stringify(e) + '\n').join(''))
        done += page.length
        inv.progress.update(done)
      })
      inv.progress.stop()
      if (file) {
        sink.end()
        await once(sink, 'finish')
      }
      return done
    })
    if (file) inv.out.result(`Exported ${n.toLocaleString('en')} events of ${siteId} to ${file}.`, { site: siteId, from, to, format, events: n, file })
    else inv.out.note(`exported ${n.toLocaleString('en')} events`)
  },
}

function csvOf(e: ExportedEvent): string {
  return csvLine(EXPORT_COLUMNS.map((k) => (k === 'props' ? (e.props ? JSON.stringify(e.props) : null) : e[k] as string | number | boolean | null)))
}
