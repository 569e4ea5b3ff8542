import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without declarations
import { SCRIPT_BUDGET_GZIP, sizes } from '../size.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

describe('script-tag build size', () => {
  it(`stays within ${SCRIPT_BUDGET_GZIP} bytes gzipped, with every feature in it`, () => {
    const code = readFileSync(resolve(root, 'dist/funnelbeam.js'), 'utf8')
    // Guard against "small because something was left out": each feature leaves a trace.
    for (const trace of ['pushState', 'persisted', 'pagehide', 'visibilitychange', 'sendBeacon', 'keepalive', 'retry-after', 'webdriver',
      'globalPrivacyControl', 'doNotTrack', 'data-fb-event', 'data-fb-prop-', 'data-fb-convert', 'data-fb-attribution', 'download', 'outbound',
      'utm_', 'gclid', 'rdt_cid', 'epik', 'opt-in', 'opt-out', 'localStorage', 'variant', 'funnelbeam']) {
      expect(code, trace).toContain(trace)
    }
    const { gzip } = sizes(Buffer.from(code))
    expect(gzip).toBeLessThanOrEqual(SCRIPT_BUDGET_GZIP)
  })
})
