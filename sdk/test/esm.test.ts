// @vitest-environment happy-dom
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const read = (f: string) => readFileSync(resolve(root, f), 'utf8')

describe('ESM build (npm install funnelbeam)', () => {
  it('exports exactly the API of DESIGN.md', async () => {
    const mod = await import(resolve(root, 'dist/esm/index.js'))
    expect(Object.keys(mod).sort()).toEqual(['attribution', 'consent', 'convert', 'experiment', 'flush', 'identify', 'init', 'page', 'track'])
  })

  it('is safe to import without a browser and before init', async () => {
    const mod = await import(resolve(root, 'dist/esm/index.js'))
    expect(mod.attribution()).toEqual({ clickIds: {} })
    await expect(mod.flush()).resolves.toBeUndefined()
    expect(mod.experiment('x', ['a'])).toBeUndefined()
  })

  it('ships declarations for every export, and a package.json without side effects', () => {
    const dts = read('dist/esm/index.d.ts')
    for (const name of ['init', 'track', 'page', 'convert', 'consent', 'identify', 'experiment', 'attribution', 'flush']) {
      expect(dts, name).toMatch(new RegExp(`export declare (function|const) ${name}\\b`))
    }
    const pkg = JSON.parse(read('dist/esm/package.json'))
    expect(pkg).toMatchObject({ name: 'funnelbeam', sideEffects: false, type: 'module', types: './index.d.ts' })
    expect(pkg.exports['.']).toEqual({ types: './index.d.ts', import: './index.js' })
  })
})
