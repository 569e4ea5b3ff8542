import { describe, expect, it } from 'vitest'
import { ipCountryDb, ipCountryFrom, lookupRange, parseIp, parseRanges } from './ip-country.ts'

// Lines as the package writes them: 8.8.8.0/24 -> US, 8.8.9.0/24 -> CA, a gap, 8.8.12.0/24 -> DE.
const V4 = '134744064,134744319,US\n134744320,134744575,CA\n134745088,134745343,DE\n'
// 2001:db8::/48 -> NL, 2001:db8:1::/48 -> SE (the boundary lies inside the high 64 bits).
const V6 = '42540766411282592856903984951653826560,42540766411283801782723599580828532735,NL\n'
  + '42540766411283801782723599580828532736,42540766411285010708543214210003238911,SE\n'

describe('parseIp', () => {
  it('reads IPv4, IPv6 with :: and an IPv4 tail, and turns IPv4-mapped IPv6 into IPv4', () => {
    expect(parseIp('8.8.8.8')).toEqual({ family: 4, value: 134744072 })
    expect(parseIp('::ffff:8.8.8.8')).toEqual({ family: 4, value: 134744072 })
    expect(parseIp('::FFFF:0808:0808')).toEqual({ family: 4, value: 134744072 })
    expect(parseIp('2001:db8::1')).toEqual({ family: 6, value: (0x20010db8n << 96n) | 1n })
    expect(parseIp('[2001:db8::1]')).toEqual({ family: 6, value: (0x20010db8n << 96n) | 1n })
    expect(parseIp('fe80::1%eth0')).toEqual({ family: 6, value: (0xfe80n << 112n) | 1n })
    expect(parseIp('1:2:3:4:5:6:7:8')).toEqual({ family: 6, value: 0x00010002000300040005000600070008n })
    expect(parseIp('64:ff9b::1.2.3.4')).toEqual({ family: 6, value: (0x64ff9bn << 96n) | 0x01020304n })
  })

  it('refuses what is not an address', () => {
    for (const bad of ['', '8.8.8', '8.8.8.256', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', 'localhost', '::ffff:1.2.3.999']) {
      expect(parseIp(bad), bad).toBeNull()
    }
  })
})

describe('lookupRange', () => {
  const v4 = parseRanges(V4, 4)
  const v6 = parseRanges(V6, 6)
  const db = ipCountryFrom(v4, v6)

  it('finds the range holding an address, its first and last address included', () => {
    expect(db.country('8.8.8.0')).toBe('US')
    expect(db.country('8.8.8.255')).toBe('US')
    expect(db.country('8.8.9.0')).toBe('CA')
    expect(db.country('8.8.12.7')).toBe('DE')
    expect(db.country('::ffff:8.8.12.7')).toBe('DE')
    expect(db.country('2001:db8::')).toBe('NL')
    expect(db.country('2001:db8:0:ffff:ffff:ffff:ffff:ffff')).toBe('NL')
    expect(db.country('2001:db8:1::42')).toBe('SE')
  })

  it('answers null in a gap, before the first and after the last range', () => {
    expect(db.country('8.8.10.1')).toBeNull()
    expect(db.country('1.1.1.1')).toBeNull()
    expect(db.country('200.1.1.1')).toBeNull()
    expect(db.country('2001:db8:2::')).toBeNull()
    expect(db.country('::1')).toBeNull()
    expect(db.country('not an ip')).toBeNull()
    expect(lookupRange(v4, { family: 6, value: 1n })).toBeNull()
  })

  it('refuses a line it cannot read, naming it', () => {
    expect(() => parseRanges('1,2,US\n3,4,de\n', 4)).toThrow(/line 2: cannot read "3,4,de"/)
  })
})

describe('the shipped database (@ip-location-db/geo-whois-asn-country)', () => {
  it('knows public resolvers and German hosting ranges, over IPv4, IPv6 and IPv4-mapped IPv6', async () => {
    const db = await ipCountryDb()
    expect(db.country('8.8.8.8')).toBe('US') // Google Public DNS
    expect(db.country('::ffff:8.8.4.4')).toBe('US')
    expect(db.country('5.9.0.1')).toBe('DE') // Hetzner, 5.9.0.0/16
    expect(db.country('193.99.144.80')).toBe('DE') // heise.de
    expect(db.country('2001:4860:4860::8888')).toBe('US') // Google Public DNS over IPv6
    expect(db.country('2a01:4f8::1')).toBe('DE') // Hetzner, 2a01:4f8::/32
    expect(db.country('127.0.0.1')).toBeNull()
    expect(db.country('10.1.2.3')).toBeNull()
    expect(db.country('::1')).toBeNull()
    expect(await ipCountryDb()).toBe(db) // loaded once
  })
})
