import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

// Builds both packages as they would be published, packs them with npm, installs the
// tarballs into an empty project and uses them there the way a user would.
const run = promisify(execFile)
const root = join(import.meta.dirname, '../..')
const npm = (args: string[], cwd: string) => run('npm', args, { cwd, maxBuffer: 16 << 20 })
const work = mkdtempSync(join(tmpdir(), 'funnelbeam-pack-'))
const proj = join(work, 'project')
afterAll(() => rmSync(work, { recursive: true, force: true }))

type Packed = { filename: string; files: { path: string; mode: number }[] }
let sdk: Packed
let collector: Packed

beforeAll(async () => {
  await run(process.execPath, ['node_modules/rollup/dist/bin/rollup', '-c', '--silent'], { cwd: root })
  await run(process.execPath, ['collector/build.mjs'], { cwd: root })
  sdk = JSON.parse((await npm(['pack', '--json', '--pack-destination', work], join(root, 'dist/esm'))).stdout)[0]
  collector = JSON.parse((await npm(['pack', '--json', '--pack-destination', work], join(root, 'dist/collector'))).stdout)[0]
}, 300_000)

const paths = (p: Packed) => p.files.map((f) => f.path).sort()

describe('npm pack', () => {
  it('the SDK package "funnelbeam": ESM, types, the script file, README and package.json only', () => {
    const files = paths(sdk)
    expect(files.filter((f) => !f.endsWith('.d.ts'))).toEqual(['README.md', 'funnelbeam.js', 'index.js', 'package.json'])
    expect(files).toContain('index.d.ts')
    const pkg = JSON.parse(readFileSync(join(root, 'dist/esm/package.json'), 'utf8'))
    expect(pkg).toMatchObject({ name: 'funnelbeam', type: 'module', sideEffects: false, exports: { '.': { types: './index.d.ts', import: './index.js' }, './funnelbeam.js': './funnelbeam.js' } })
  })

  it('the collector package: compiled code with types, the bin, what the code reads at run time, no sources, tests or demo', () => {
    const files = paths(collector)
    const pkg = JSON.parse(readFileSync(join(root, 'dist/collector/package.json'), 'utf8'))
    const repo = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    expect(pkg).toMatchObject({ name: 'funnelbeam-collector', version: repo.version, dependencies: expect.objectContaining(repo.dependencies), bin: { funnelbeam: './collector/src/cli/bin.js' } })
    for (const f of [pkg.bin.funnelbeam, pkg.exports['.'].import, pkg.exports['.'].types, 'collector/src/worker-boot.mjs', 'collector/src/derive/worker.js',
      'collector/src/report-runner/worker.js', 'collector/src/dashboard/dashboard.css', 'collector/data/ga4-source-categories.csv', 'dist/funnelbeam.js', 'README.md']) {
      expect(files, f).toContain(f.replace(/^\.\//, ''))
    }
    expect(files.filter((f) => /\.test\.|(^|\/)test\/|demo-site|\.tsx?$/.test(f) && !f.endsWith('.d.ts'))).toEqual([])
    expect(readFileSync(join(root, 'dist/collector', pkg.bin.funnelbeam), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
  })
})

describe('installed from the tarballs into an empty project', () => {
  beforeAll(async () => {
    cpSync(join(import.meta.dirname, 'fixture'), proj, { recursive: true })
    const install = ['install', '--no-audit', '--no-fund', '--ignore-scripts', join(work, sdk.filename), join(work, collector.filename)]
    // Offline from npm's cache when it holds every dependency; else the registry fills the gaps.
    await npm([...install, '--offline'], proj).catch(() => npm([...install, '--prefer-offline'], proj))
    // Install scripts were skipped (no network for prebuilt binaries): use the binding built for this repository.
    const want = JSON.parse(readFileSync(join(proj, 'node_modules/better-sqlite3/package.json'), 'utf8')).version
    const have = JSON.parse(readFileSync(join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')).version
    if (want === have) cpSync(join(root, 'node_modules/better-sqlite3/build'), join(proj, 'node_modules/better-sqlite3/build'), { recursive: true })
  }, 180_000)

  it('runs npx funnelbeam --help, and a command on a data dir', { timeout: 60_000 }, async () => {
    const help = await run('npx', ['funnelbeam', '--help'], { cwd: proj })
    expect(help.stdout).toContain('Usage: funnelbeam <command>')
    expect(help.stdout).toContain('migrate')
    const env = { ...process.env, DATA_DIR: join(work, 'data'), DATABASE_URL: '' }
    await run('npx', ['funnelbeam', 'site', 'add', 'shop', '--origin', 'https://shop.example'], { cwd: proj, env })
    const list = await run('npx', ['funnelbeam', 'site', 'list', '--json'], { cwd: proj, env })
    expect(JSON.parse(list.stdout).map((s: { id: string }) => s.id)).toEqual(['shop'])
  })

  it('imports the SDK (ESM, types check with tsc) and the collector library, which answers requests', { timeout: 60_000 }, async () => {
    const r = await run(process.execPath, ['use.mjs'], { cwd: proj })
    expect(JSON.parse(r.stdout)).toEqual({ sdk: ['attribution', 'consent', 'convert', 'experiment', 'flush', 'identify', 'init', 'page', 'track'], script: true, healthz: 200, sites: 200 })
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: proj })
  })

  it('starts the installed collector, which serves the SDK script, /docs and its worker threads from the package', { timeout: 60_000 }, async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    // The installed bin run by node itself (npx would not pass SIGTERM on).
    const child = spawn(process.execPath, ['node_modules/.bin/funnelbeam', 'start', '--port', String(port)], {
      cwd: proj, env: { ...process.env, DATA_DIR: join(work, 'served'), DATABASE_URL: '', FUNNELBEAM_SDK_DIR: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    try {
      for (let i = 0; i < 400 && !out.includes('listening'); i++) await new Promise((r) => setTimeout(r, 50))
      const base = `http://127.0.0.1:${port}`
      const script = await fetch(`${base}/funnelbeam.js`)
      expect(script.status).toBe(200)
      expect(await script.text()).toBe(readFileSync(join(root, 'dist/funnelbeam.js'), 'utf8'))
      expect((await fetch(`${base}/docs`)).status).toBe(200)
      // A report runs on a report worker thread, after the derivation thread caught up.
      const token = readFileSync(join(work, 'served/admin-token'), 'utf8').trim()
      const created = await fetch(`${base}/api/sites`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"id":"shop"}' })
      expect(created.status).toBe(201)
      const summary = await fetch(`${base}/api/sites/shop/summary`, { headers: { authorization: `Bearer ${token}` } })
      expect([summary.status, (await summary.json()).visitors]).toEqual([200, 0])
    } finally {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    }
    expect(out).toContain('"msg":"stopped"')
  })
})
