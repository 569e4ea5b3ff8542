/**
 * Yandex Direct report (Report Wizard, "Мастер отчётов"), as downloaded: semicolon-
 * separated, UTF-8 or Windows-1251, a title and period before the header, decimal
 * commas, dates as dd.mm.yyyy and an `Итого` (total) row. The currency is in the cost
 * column's header: `Расход (руб.)`.
 */
import type { SpendOptions, SpendResult, SkippedLine } from './types.ts'
import { fail } from './types.ts'
import { currencyInHeader, dayLine, findHeader, finish, isFailure, LineReader, type Draft, type ReportSpec } from './report.ts'

type Key = 'date' | 'campaign' | 'campaignId' | 'cost' | 'impressions' | 'clicks'

export const yandexSpec: ReportSpec<Key> = {
  format: 'yandex',
  source: 'yandex',
  medium: 'cpc',
  delimiters: [';', '\t', ','],
  dialects: [{
    lang: 'ru', decimal: ',', required: ['date', 'campaign', 'cost'],
    columns: {
      date: ['Дата', 'День'], campaign: ['Кампания', 'Название кампании'], campaignId: ['№ Кампании', 'N Кампании', 'ID кампании'],
      cost: [/^Расход(\s|,|\(|$)/i], impressions: ['Показы'], clicks: ['Клики'],
    },
  }],
}

/**
 * Parses a Yandex Direct statistics report by day and campaign.
 *
 * @example
 * parseYandex('Статистика по дням\nДата;Кампания;№ Кампании;Показы;Клики;Расход (руб.)\n01.11.2026;Бренд;7001;1 200;80;1 234,50\n', { currency: 'EUR' })
 * // { format: 'yandex', rows: [{ date: '2026-11-01', source: 'yandex', medium: 'cpc', campaign: 'Бренд', campaignId: '7001', cost: 1234.5, currency: 'RUB', … }], skipped: [] }
 */
export function parseYandex(text: string, opts: SpendOptions): SpendResult {
  const h = findHeader(text, yandexSpec)
  if (!h) return fail('Yandex Direct report: no header with Дата, Кампания and Расход (choose the day as the period unit in the Report Wizard)')
  const currency = currencyInHeader(h.names.cost) ?? opts.currency
  const drafts: Draft[] = []
  const skipped: SkippedLine[] = []
  for (const row of h.data) {
    if (row.fields.some((f) => /^итого/i.test(f.trim()))) { skipped.push({ line: row.line, reason: 'totals row (Итого)' }); continue }
    const cells = dayLine(new LineReader(h, row))
    if (cells === null) { skipped.push({ line: row.line, reason: 'no campaign' }); continue }
    if (isFailure(cells)) return cells
    drafts.push({ line: row.line, ...cells, currency })
  }
  return finish(yandexSpec, drafts, skipped, opts)
}
