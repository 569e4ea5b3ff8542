import { describe, expect, it } from 'vitest'
import { parseSpendCsv, parseSpendJson } from './spend.ts'

const HEADER = 'date,source,medium,campaign,cost,impressions,clicks'

describe('parseSpendCsv', () => {
  it('reads rows, lower-cases source and medium, defaults the currency', () => {
    const r = parseSpendCsv(`${HEADER},currency\r\n2026-11-01,Google,CPC,"Brand, EU",12.50,1000,40,usd\n2026-11-02,meta,paid_social,Retarget,0,,,\n`, 'EUR')
    expect(r).toEqual({ rows: [
      { date: '2026-11-01', source: 'google', medium: 'cpc', campaign: 'Brand, EU', cost: 12.5, impressions: 1000, clicks: 40, currency: 'USD', campaignId: null },
      { date: '2026-11-02', source: 'meta', medium: 'paid_social', campaign: 'Retarget', cost: 0, impressions: 0, clicks: 0, currency: 'EUR', campaignId: null },
    ] })
  })
  it('names the bad row and column', () => {
    const r = parseSpendCsv(`${HEADER}\n2026-11-01,google,cpc,brand,1,2,3\n2026-11-02,google,cpc,brand,-5,2,3\n`, 'EUR')
    expect('message' in r && r.message).toMatch(/row 2 \(line 3\), column cost/)
    expect('issues' in r && r.issues[0]).toMatchObject({ index: 1, path: 'cost' })
    const d = parseSpendCsv(`${HEADER}\n2026-02-30,google,cpc,brand,1,2,3\n`, 'EUR')
    expect('message' in d && d.message).toMatch(/row 1 \(line 2\), column date: not a calendar date/)
  })
  it('rejects a wrong header and ragged rows', () => {
    expect(parseSpendCsv('date,source,cost\n', 'EUR')).toMatchObject({ message: expect.stringMatching(/missing: medium, campaign, impressions, clicks/) })
    expect(parseSpendCsv(`${HEADER}\n2026-11-01,google,cpc\n`, 'EUR')).toMatchObject({ message: expect.stringMatching(/row 1 \(line 2\) has 3 fields/) })
  })
})

describe('parseSpendJson', () => {
  it('accepts an array of the same objects and names bad rows', () => {
    const ok = parseSpendJson([{ date: '2026-11-01', source: 'google', medium: 'cpc', campaign: 'b', cost: 3, impressions: 10, clicks: 1 }], 'EUR')
    expect(ok).toEqual({ rows: [{ date: '2026-11-01', source: 'google', medium: 'cpc', campaign: 'b', cost: 3, impressions: 10, clicks: 1, currency: 'EUR', campaignId: null }] })
    const bad = parseSpendJson([{ date: '2026-11-01', source: 'google', medium: 'cpc', campaign: 'b', cost: 3, impressions: 1.5, clicks: 1 }], 'EUR')
    expect('message' in bad && bad.message).toMatch(/row 1, column impressions/)
    expect(parseSpendJson({}, 'EUR')).toMatchObject({ message: expect.stringMatching(/array/) })
  })
})
