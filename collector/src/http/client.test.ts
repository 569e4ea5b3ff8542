import { describe, expect, it } from 'vitest'
import { originAllowed } from './client.ts'

describe('originAllowed', () => {
  it('allows an exact origin and nothing else', () => {
    const list = ['https://shop.example']
    expect(originAllowed('https://shop.example', list)).toBe(true)
    expect(originAllowed('https://evil.example', list)).toBe(false)
    expect(originAllowed('https://www.shop.example', list)).toBe(false)
    expect(originAllowed('https://shop.example.evil.example', list)).toBe(false)
    expect(originAllowed('https://evilshop.example', list)).toBe(false)
  })

  it('compares scheme and host case-insensitively and accepts a trailing slash in the entry', () => {
    expect(originAllowed('https://Shop.Example', ['HTTPS://SHOP.EXAMPLE/'])).toBe(true)
  })

  it('a scheme mismatch is refused', () => {
    expect(originAllowed('http://shop.example', ['https://shop.example'])).toBe(false)
    expect(originAllowed('https://shop.example', ['http://shop.example'])).toBe(false)
  })

  it('a wildcard entry allows subdomains but not the bare domain or look-alikes', () => {
    const list = ['https://*.shop.example']
    expect(originAllowed('https://www.shop.example', list)).toBe(true)
    expect(originAllowed('https://eu.cdn.shop.example', list)).toBe(true)
    expect(originAllowed('https://shop.example', list)).toBe(false)
    expect(originAllowed('https://evilshop.example', list)).toBe(false)
    expect(originAllowed('https://www.shop.example.evil.example', list)).toBe(false)
    expect(originAllowed('http://www.shop.example', list)).toBe(false)
  })

  it('an entry without a port allows any port (local dev servers)', () => {
    const list = ['http://localhost']
    expect(originAllowed('http://localhost', list)).toBe(true)
    expect(originAllowed('http://localhost:5173', list)).toBe(true)
    expect(originAllowed('http://localhost:8787', list)).toBe(true)
    expect(originAllowed('https://localhost:5173', list)).toBe(false)
  })

  it('an entry with a port allows that port only, with default ports written or not', () => {
    expect(originAllowed('http://localhost:5173', ['http://localhost:5173'])).toBe(true)
    expect(originAllowed('http://localhost:3000', ['http://localhost:5173'])).toBe(false)
    expect(originAllowed('http://localhost', ['http://localhost:5173'])).toBe(false)
    expect(originAllowed('https://shop.example', ['https://shop.example:443'])).toBe(true)
    expect(originAllowed('http://shop.example', ['http://shop.example:80'])).toBe(true)
    expect(originAllowed('https://shop.example:8443', ['https://shop.example:443'])).toBe(false)
  })

  it('checks every entry of the list', () => {
    const list = ['https://shop.example', 'https://*.shop.example', 'http://localhost']
    expect(originAllowed('http://localhost:5173', list)).toBe(true)
    expect(originAllowed('https://checkout.shop.example', list)).toBe(true)
    expect(originAllowed('https://other.example', list)).toBe(false)
  })

  it('"*" allows any origin; an empty list allows none', () => {
    expect(originAllowed('https://anything.example', ['*'])).toBe(true)
    expect(originAllowed('https://shop.example', [])).toBe(false)
  })

  it('refuses garbage origins and ignores garbage entries', () => {
    const list = ['https://shop.example']
    for (const bad of ['', 'null', 'shop.example', 'not an origin', '//shop.example']) {
      expect(originAllowed(bad, list)).toBe(false)
    }
    expect(originAllowed('https://shop.example', ['shop.example', 'https://', 'https://shop.example/path', '*.shop.example'])).toBe(false)
  })
})
