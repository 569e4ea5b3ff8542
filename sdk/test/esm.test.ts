// @vitest-environment happy-dom
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
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

  it('type-checks an app that imports it under moduleResolution NodeNext, and catches misuse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-consumer-'))
    try {
      mkdirSync(join(dir, 'node_modules'))
      symlinkSync(resolve(root, 'dist/esm'), join(dir, 'node_modules/funnelbeam'), 'dir')
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
      const app = `import { init, track, convert, consent, experiment, attribution, flush, type Attribution } from 'funnelbeam'
init({ site: 'shop', endpoint: 'https://c.example', consent: 'opt-in' })
const id: string | undefined = track('cta', { plan: 'pro', seats: 2, trial: true })
convert('purchase', { value: 1, currency: 'EUR', orderId: 'A' })
consent({ analytics: true })
const v: string | undefined = experiment('hero', ['a', 'b'], [1, 1])
const a: Attribution = attribution()
const g: string | number | undefined = a.last?.gclid
await flush()
export { id, v, g }
`
      const tsc = (code: string) => {
        writeFileSync(join(dir, 'app.ts'), code)
        try {
          execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', 'app.ts'], { cwd: dir, encoding: 'utf8' })
          return ''
        } catch (e) {
          return (e as { stdout: string }).stdout
        }
      }
      expect(tsc(app)).toBe('')
      expect(tsc(app + "convert('x', { value: 'ten' })\n")).toMatch(/TS2322/)
      expect(tsc(app + "init({ site: 'shop' })\n")).toMatch(/endpoint/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
