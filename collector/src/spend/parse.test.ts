import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { detectSpendFormat, parseSpendUpload } from './parse.ts'
import { decodeSpendBytes } from './decode.ts'
import { spread } from './meta.ts'
import { parseAmount, parseDate } from './values.ts'

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/spend/${name}`, import.meta.url))
const bytes = (s: string) => new TextEncoder().encode(s)
const opts = { currency: 'EUR' }

describe('spend files as the platforms export them', () => {
  it('reads a Google Ads report: title lines, thousands separators, -- as none, totals rows skipped', () => {
    expect(parseSpendUpload(fixture('google-ads-en.csv'), opts)).toEqual({
      format: 'google-ads',
      rows: [
        { date: '2026-11-01', source: 'google', medium: 'cpc', campaign: 'Brand', campaignId: '111', cost: 1234.5, impressions: 12345, clicks: 600, currency: 'EUR' },
        { date: '2026-11-02', source: 'google', medium: 'cpc', campaign: 'Brand', campaignId: '111', cost: 765.5, impressions: 8000, clicks: 400, currency: 'EUR' },
        { date: '2026-11-01', source: 'google', medium: 'cpc', campaign: 'Generic - Shoes', campaignId: '222', cost: 50, impressions: 0, clicks: 0, currency: 'EUR' },
      ],
      skipped: [{ line: 7, reason: 'totals row' }, { line: 8, reason: 'totals row' }],
    })
  })

  it('reads the German "CSV (Excel)" download: UTF-16LE, tabs, decimal commas', () => {
    const r = parseSpendUpload(fixture('google-ads-de-excel.csv'), opts)
    expect(r).toMatchObject({ format: 'google-ads', skipped: [{ line: 6, reason: 'totals row' }] })
    expect('rows' in r && r.rows.map((x) => [x.date, x.campaign, x.cost, x.impressions, x.clicks])).toEqual([
      ['2026-11-01', 'Shopping DE', 1000.25, 10000, 500], ['2026-11-02', 'Shopping DE', 99.75, 1000, 50],
    ])
  })

  it('reads the French export: Coût, Clics, narrow no-break spaces as thousands separators', () => {
    const r = parseSpendUpload(fixture('google-ads-fr.csv'), opts)
    expect('rows' in r && r.rows.map((x) => [x.date, x.campaign, x.campaignId, x.cost, x.impressions, x.clicks])).toEqual([
      ['2026-11-01', 'Marque FR', '444', 1200, 2500, 120], ['2026-11-03', 'Marque FR', '444', 34.56, 300, 15],
    ])
    expect(r).toMatchObject({ skipped: [{ line: 6, reason: 'totals row' }] })
  })

  it('spreads a Meta row over its days with exact cents, currency from the header, summary row skipped', () => {
    const r = parseSpendUpload(fixture('meta.csv'), { currency: 'USD' })
    expect(r).toMatchObject({ format: 'meta', skipped: [{ line: 2, reason: 'summary row (no campaign name)' }] })
    const rows = 'rows' in r ? r.rows : []
    expect(rows.filter((x) => x.campaign === 'Brand').map((x) => [x.date, x.cost, x.impressions, x.clicks, x.currency, x.source, x.medium])).toEqual([
      ['2026-11-01', 33.33, 3333, 100, 'EUR', 'facebook', 'paid'],
      ['2026-11-02', 33.33, 3333, 100, 'EUR', 'facebook', 'paid'],
      ['2026-11-03', 33.34, 3334, 100, 'EUR', 'facebook', 'paid'],
    ])
    expect(rows.filter((x) => x.campaign === 'Retargeting').map((x) => x.cost)).toEqual([70, 70, 70])
  })

  it('reads Yandex Direct in Windows-1251 and in UTF-8, Итого skipped, RUB from the header', () => {
    const cp1251 = fixture('yandex-cp1251.csv')
    expect(decodeSpendBytes(cp1251).encoding).toBe('windows-1251')
    const utf8 = bytes(decodeSpendBytes(cp1251).text)
    for (const file of [cp1251, utf8]) {
      expect(parseSpendUpload(file, opts)).toEqual({
        format: 'yandex',
        rows: [
          { date: '2026-11-01', source: 'yandex', medium: 'cpc', campaign: 'Бренд', campaignId: '70001', cost: 1500.5, impressions: 1000, clicks: 100, currency: 'RUB' },
          { date: '2026-11-02', source: 'yandex', medium: 'cpc', campaign: 'Бренд', campaignId: '70001', cost: 2499.5, impressions: 2000, clicks: 150, currency: 'RUB' },
        ],
        skipped: [{ line: 6, reason: 'totals row (Итого)' }],
      })
    }
  })

  it('sums rows of one campaign and day (a report by ad group), and takes source and medium overrides', () => {
    const csv = 'Day,Campaign,Ad group,Cost,Clicks\n2026-11-01,Brand,A,1.10,1\n2026-11-01,Brand,B,2.20,2\n'
    expect(parseSpendUpload(bytes(csv), { ...opts, source: 'adwords', medium: 'ppc' })).toMatchObject({
      rows: [{ date: '2026-11-01', source: 'adwords', medium: 'ppc', campaign: 'Brand', campaignId: null, cost: 3.3, clicks: 3, impressions: 0, currency: 'EUR' }],
    })
  })

  it('names the line and column of a bad cell', () => {
    const text = decodeSpendBytes(fixture('google-ads-en.csv')).text.replace('765.50', '76x')
    expect(parseSpendUpload(bytes(text), opts)).toMatchObject({ message: 'line 5, column "Cost": "76x" is not a number like 1,234.56', line: 5, column: 'Cost' })
    const meta = 'Reporting starts,Reporting ends,Campaign name,Amount spent (EUR)\n2026-11-01,2026-13-01,X,1\n'
    expect(parseSpendUpload(bytes(meta), opts)).toMatchObject({ line: 2, column: 'Reporting ends', message: expect.stringMatching(/not a date/) })
  })

  it('detects each format, or says which it expected', () => {
    expect(detectSpendFormat('date,source,medium,campaign,cost,impressions,clicks\n')).toBe('canonical')
    expect(detectSpendFormat('[]')).toBe('canonical')
    expect(detectSpendFormat(decodeSpendBytes(fixture('meta.csv')).text)).toBe('meta')
    expect(detectSpendFormat(decodeSpendBytes(fixture('yandex-cp1251.csv')).text)).toBe('yandex')
    expect(detectSpendFormat(decodeSpendBytes(fixture('google-ads-de-excel.csv')).text)).toBe('google-ads')
    expect(parseSpendUpload(bytes('hello,world\n1,2\n'), opts)).toMatchObject({ message: expect.stringMatching(/^Unknown spend file/) })
    // a forced format that does not fit says what it looked for
    expect(parseSpendUpload(fixture('meta.csv'), { ...opts, format: 'yandex' })).toMatchObject({ message: expect.stringMatching(/Yandex Direct report: no header/) })
  })
})

describe('values', () => {
  it('parses amounts and dates as the platforms write them', () => {
    expect(parseAmount('1,234.56', '.')).toBe(1234.56)
    expect(parseAmount('1.234,56', ',')).toBe(1234.56)
    expect(parseAmount('1 234,56', ',')).toBe(1234.56)
    expect(parseAmount('--', '.')).toBeNull()
    expect(parseAmount('-5', '.')).toMatchObject({ error: expect.any(String) })
    expect(parseDate('01.11.2026')).toBe('2026-11-01')
    expect(parseDate('11/01/2026', 'mdy')).toBe('2026-11-01')
    expect(parseDate('Nov 1, 2026')).toBe('2026-11-01')
    expect(parseDate('31.02.2026')).toBeNull()
    expect(parseDate('9999-12-31')).toBeNull() // no spend that far out; its next day would overflow
  })

  it('spreads whole numbers with the remainder on the last share', () => {
    expect(spread(10, 3)).toEqual([3, 3, 4])
    expect(spread(2, 3)).toEqual([0, 0, 2])
  })
})
