import { describe, expect, it } from 'vitest'
import type { ConversionClick } from '../store/report-types.ts'
import { googleAdsCsv, googleDataManagerJson, metaCapiJson, yandexMetricaCsv } from './formats.ts'

const base: ConversionClick = {
  id: '0190f1aa-0000-7000-8000-000000000001', name: 'purchase', ts: Date.UTC(2026, 10, 2, 10, 5, 7, 250), value: 19.9, currency: 'EUR',
  orderId: 'A-1', url: 'https://shop.example/thanks', clickIdType: 'gclid', clickId: 'Cj0KCQ-_x', clickTs: Date.UTC(2026, 10, 1, 8), clickUrl: 'https://shop.example/?gclid=Cj0KCQ-_x',
}
const ctx = { timezone: 'Europe/Berlin', currency: 'USD' }

describe('conversion export formats', () => {
  it('Google Ads: the zone stated first, local time without T or offset, no braid columns without braids', () => {
    const lead = { ...base, name: 'lead, qualified', value: null, currency: null, ts: Date.UTC(2026, 6, 1, 22, 30) }
    expect(googleAdsCsv([base, lead], ctx)).toBe('Parameters:TimeZone=Europe/Berlin\r\n' +
      'Google Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\n' +
      'Cj0KCQ-_x,purchase,2026-11-02 11:05:07,19.9,EUR\r\n' +
      'Cj0KCQ-_x,"lead, qualified",2026-07-02 00:30:00,,\r\n')
    expect(googleAdsCsv([{ ...base, clickIdType: 'wbraid', clickId: 'W1', currency: null }], ctx)).toBe('Parameters:TimeZone=Europe/Berlin\r\n' +
      'Google Click ID,GBRAID,WBRAID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\n' +
      ',,W1,purchase,2026-11-02 11:05:07,19.9,USD\r\n')
  })

  it('Data Manager: one destination, ad identifiers by click id type, RFC 3339 UTC time', () => {
    expect(googleDataManagerJson([{ ...base, orderId: null }], ctx)).toBe(`{
  "destinations": [
    {
      "operatingAccount": {
        "accountType": "GOOGLE_ADS",
        "accountId": "GOOGLE_ADS_CUSTOMER_ID"
      },
      "productDestinationId": "CONVERSION_ACTION_ID"
    }
  ],
  "events": [
    {
      "adIdentifiers": {
        "gclid": "Cj0KCQ-_x"
      },
      "conversionValue": 19.9,
      "currency": "EUR",
      "eventTimestamp": "2026-11-02T10:05:07.250Z",
      "transactionId": "0190f1aa-0000-7000-8000-000000000001",
      "eventSource": "WEB",
      "consent": {
        "adUserData": "CONSENT_GRANTED"
      }
    }
  ]
}
`)
  })

  it('Meta: standard event names, Unix seconds, fbc from the click time and the fbclid as received', () => {
    const c = { ...base, name: 'sign_up', value: null, orderId: null, url: null, clickIdType: 'fbclid', clickId: 'IwAR0_Ab-c' }
    expect(JSON.parse(metaCapiJson([c], ctx))).toEqual({
      data: [{
        event_name: 'CompleteRegistration', event_time: 1793613907, event_id: base.id, action_source: 'website',
        event_source_url: base.clickUrl, user_data: { fbc: `fb.1.${base.clickTs}.IwAR0_Ab-c` }, custom_data: {},
      }],
    })
  })

  it('Yandex Metrica: Yclid, goal, Unix seconds, price and currency', () => {
    expect(yandexMetricaCsv([{ ...base, clickIdType: 'yclid', clickId: '5555' }], ctx))
      .toBe('Yclid,Target,DateTime,Price,Currency\r\n5555,purchase,1793613907,19.9,EUR\r\n')
  })
})
