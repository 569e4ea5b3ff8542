import { describe, expect, it } from 'vitest'
import { parseCsv, toCsv } from './csv.ts'

describe('toCsv', () => {
  it('quotes per RFC 4180 and flattens nested values into dotted columns', () => {
    expect(toCsv([{ a: 'x,y', b: 'say "hi"', c: { EUR: 1 } }, { a: 'line\nbreak', b: null, c: { USD: 2 } }]))
      .toBe('a,b,c.EUR,c.USD\r\n"x,y","say ""hi""",1,\r\n"line\nbreak",,,2\r\n')
  })
  it('defuses formula injection in text but leaves negative numbers alone', () => {
    expect(toCsv([{ campaign: '=HYPERLINK("x")', lift: -0.5, s: '@SUM', p: '+1', m: '-2' }]))
      .toBe(`campaign,lift,s,p,m\r\n"'=HYPERLINK(""x"")",-0.5,'@SUM,'+1,'-2\r\n`)
  })
})

describe('parseCsv', () => {
  it('reads quoted fields, CRLF, a BOM and skips blank lines', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, ""y""",2\n\n3,\n')).toEqual([['a', 'b'], ['x, "y"', '2'], ['3', '']])
  })
  it('reports an unterminated quote', () => {
    expect(parseCsv('a\n"x')).toMatch(/unterminated/)
  })
})
