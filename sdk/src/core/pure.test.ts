import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// The core folder is pure logic: it must run in Node without a DOM, so the browser glue stays
// the only place that touches the page (like Snowplow's tracker-core).
const DOM_GLOBALS = ['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'history', 'screen', 'fetch', 'addEventListener', 'XMLHttpRequest', 'setTimeout', 'crypto']

describe('sdk/src/core', () => {
  const files = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))

  it('has modules to check', () => expect(files.length).toBeGreaterThan(5))

  it('uses no DOM or browser globals', () => {
    for (const f of files) {
      const code = readFileSync(new URL(f, import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '""')
      for (const g of DOM_GLOBALS) expect(new RegExp(`(?<![.\\w])${g}\\b`).test(code), `${f} uses ${g}`).toBe(false)
    }
  })
})
