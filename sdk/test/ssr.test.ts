// @vitest-environment node
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const esm = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/esm/index.js')

describe('ESM build on a server (server-side rendering)', () => {
  it('imports and answers without a window, and never throws', async () => {
    const fb = await import(esm)
    expect(typeof globalThis.window).toBe('undefined')
    fb.init({ site: 'shop', endpoint: 'https://collect.example' })
    for (let i = 0; i < 1000; i++) expect(fb.track('render', { i })).toBeUndefined()
    expect(fb.page()).toBeUndefined()
    expect(fb.convert('purchase', { value: 1 })).toBeUndefined()
    expect(fb.consent({ analytics: true })).toBeUndefined()
    expect(fb.identify('u')).toBeUndefined()
    expect(fb.experiment('hero', ['a', 'b'])).toBeUndefined()
    expect(fb.attribution()).toEqual({ clickIds: {} })
    await expect(fb.flush()).resolves.toBeUndefined()
  })
})
