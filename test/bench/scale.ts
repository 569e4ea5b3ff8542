/**
 * `npm run bench`: the scale benchmark of issue 8, every figure a ratio or side by side in
 * one run, written to BENCHMARKS.md with the machine it ran on. Nothing is asserted.
 *
 * 1. Ingest: the real server process (`collector/src/server.ts`, derivation on its own
 *    thread) against a bare Hono no-op route in a process of its own, loaded from a third
 *    process: single events, 20- and 100-event batches, 100-event batches with 30%
 *    duplicates; p50/p99, the server's peak RSS, and how far derivation lags.
 * 2. Sustained 20k events/s for a while: the derivation lag sampled every second.
 * 3. Reports at each size (1M and 10M events; `--quick`: 100k) on SQLite, each one cold,
 *    and the cold dashboard (90 days); PostgreSQL on the smallest size.
 * 4. The stall case: steady single-event ingest while cold dashboards and reports run
 *    over the largest file, against the same ingest with no reports.
 *
 *   npm run bench                 (about 15 minutes here)
 *   npm run bench -- --quick      (about 2 minutes)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { parseFunnelQuery, parseSummaryQuery } from '../../collector/src/reports/service.ts'
import { reportTasks } from '../../collector/src/report-runner/tasks.ts'
import { workerRunner } from '../../collector/src/report-runner/pool.ts'
import { generateBenchDb } from './generate.ts'
import { signIn } from '../helpers/app.ts'
import { askRunner, BENCH_SITE, BENCH_TODAY, DASH_90, REPORT_CASES } from './cases.ts'
import { relaunchWithHugePages } from '../../collector/src/huge-pages.ts'

// The bench times report workers in this process, so it runs with the memory settings the
// collector starts with (huge pages where they pay); the servers it starts inherit them.
const relaunched = await relaunchWithHugePages()
if (relaunched !== null) process.exit(relaunched)

const QUICK = process.argv.includes('--quick')
const SIZES = QUICK ? [100_000] : [1_000_000, 10_000_000]
const LOAD_MS = QUICK ? 3000 : 8000
const root = join(import.meta.dirname, '../..')
const work = mkdtempSync(join(tmpdir(), 'funnelbeam-scale-'))
const ADMIN = 'bench-admin-token'
const md: string[] = []
const out = (line = '') => { console.log(line); md.push(line) }

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

interface Proc { child: ChildProcess; port: number; url: string; output: () => string }

async function startProcess(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  const port = await freePort()
  const child = spawn(process.execPath, [...args.map((a) => a.replace('$PORT', String(port)))], {
    cwd: root, env: { ...process.env, PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout!.on('data', (d) => { log += d })
  child.stderr!.on('data', (d) => { log += d })
  for (let i = 0; i < 1200; i++) {
    if (log.includes('listening')) return { child, port, url: `http://127.0.0.1:${port}`, output: () => log }
    if (child.exitCode !== null) throw new Error(`process exited: ${log}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`process did not start: ${log}`)
}

const startCollector = (dataDir: string) => startProcess(['--import', 'tsx', 'collector/src/server.ts'], {
  DATA_DIR: dataDir, FUNNELBEAM_ADMIN_TOKEN: ADMIN, FUNNELBEAM_RATE_LIMIT: '1000000000', FUNNELBEAM_ALLOW_BOTS: '1',
})
const startBare = () => startProcess([join(import.meta.dirname, 'bare.mjs'), '$PORT'])

async function stop(p: Proc): Promise<void> {
  const exited = new Promise((r) => p.child.once('exit', r))
  p.child.kill('SIGTERM')
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))])
  if (p.child.exitCode === null) p.child.kill('SIGKILL')
}

/** A process's resident memory, threads included, in MB: now (`VmRSS`) or its peak (`VmHWM`). */
function memoryMb(p: Proc, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${p.child.pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}
const rssMb = (p: Proc) => memoryMb(p, 'VmRSS')
const peakRssMb = (p: Proc) => memoryMb(p, 'VmHWM')

interface LoadResult { latencies: number[]; errors: number; errorKinds: Record<string, number>; accepted: number; duplicates: number; durationMs: number }

async function load(port: number, perRequest: number, ms: number, o: { concurrency?: number; dup?: number; rate?: number; site?: string } = {}): Promise<LoadResult> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'load.mjs'), String(port), '/collect', String(perRequest), String(ms),
    String(o.concurrency ?? 32), String(o.dup ?? 0), String(o.rate ?? 0), o.site ?? 'demo'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let text = ''
  child.stdout!.on('data', (d) => { text += d })
  await new Promise((r) => child.once('exit', r))
  const r = JSON.parse(text) as LoadResult
  r.latencies.sort((a, b) => a - b)
  return r
}

const q = (r: LoadResult, p: number) => r.latencies.length ? r.latencies[Math.min(r.latencies.length - 1, Math.floor(p * r.latencies.length))] : NaN
const perSec = (n: number, ms: number) => Math.round(n / (ms / 1000))
const fmt = (n: number) => Math.round(n).toLocaleString('en')

async function health(url: string): Promise<{ pendingEvents: number; lagSeconds: number }> {
  return ((await (await fetch(`${url}/healthz`)).json()) as { derivation: { pendingEvents: number; lagSeconds: number } }).derivation
}

async function drainSeconds(url: string): Promise<number> {
  const t0 = performance.now()
  for (let i = 0; i < 6000; i++) {
    if ((await health(url)).pendingEvents === 0) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return (performance.now() - t0) / 1000
}

async function ingestSection(): Promise<void> {
  out('## Ingest against a bare Hono route')
  out()
  out(`Each case ${LOAD_MS / 1000} s, 32 keep-alive clients in a separate process, loopback. The collector is the real server process on a`)
  out('fresh SQLite file (derivation on its own thread); the ceiling is a bare Hono no-op route served the same way.')
  out()
  out('| case | bare Hono events/s | collector events/s | ratio | collector p50 / p99 ms | bare p99 ms | derivation lag at end | drained in |')
  out('|---|---:|---:|---:|---:|---:|---:|---:|')
  const cases: [string, number, number][] = [['single events', 1, 0], ['20-event batches', 20, 0], ['100-event batches', 100, 0], ['100-event batches, 30% duplicates', 100, 0.3]]
  const dir = mkdtempSync(join(work, 'ingest-'))
  const collector = await startCollector(dir)
  const bare = await startBare()
  for (const [label, n, dup] of cases) {
    const b = await load(bare.port, n, LOAD_MS, { dup })
    const c = await load(collector.port, n, LOAD_MS, { dup })
    const lag = await health(collector.url)
    const drained = await drainSeconds(collector.url)
    const be = perSec(b.latencies.length * n, b.durationMs)
    const ce = perSec(c.accepted + c.duplicates, c.durationMs)
    out(`| ${label} | ${fmt(be)} | ${fmt(ce)} | ${(ce / be * 100).toFixed(0)}% | ${q(c, 0.5).toFixed(1)} / ${q(c, 0.99).toFixed(1)} | ${q(b, 0.99).toFixed(1)} | ${fmt(lag.pendingEvents)} events (${lag.lagSeconds.toFixed(1)} s) | ${drained.toFixed(1)} s |`)
    if (c.errors) out(`|   errors: ${JSON.stringify(c.errorKinds)} | | | | | | | |`)
  }
  out()
  out(`Collector peak RSS over these runs: **${peakRssMb(collector).toFixed(0)} MB** (bare Hono: ${peakRssMb(bare).toFixed(0)} MB).`)
  out()
  // Sustained 20k events/s: 200 requests of 100 events a second, open loop.
  const secs = QUICK ? 5 : 20
  const sustained = load(collector.port, 100, secs * 1000, { rate: 200, concurrency: 64 })
  const lags: number[] = []
  for (let i = 0; i < secs; i++) {
    await new Promise((r) => setTimeout(r, 1000))
    lags.push((await health(collector.url)).lagSeconds)
  }
  const s = await sustained
  const drained = await drainSeconds(collector.url)
  out(`Sustained ${fmt(perSec(s.accepted, s.durationMs))} events/s for ${secs} s (100-event batches, open loop): ingest p99 ${q(s, 0.99).toFixed(1)} ms, ` +
    `errors ${s.errors}; derivation lag sampled each second: max ${Math.max(...lags).toFixed(1)} s, last ${lags[lags.length - 1].toFixed(1)} s; ` +
    `backlog drained ${drained.toFixed(1)} s after the load stopped. Collector peak RSS ${peakRssMb(collector).toFixed(0)} MB.`)
  out()
  await stop(collector)
  await stop(bare)
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; cpu: number; value: T }> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const value = await f()
  const c = process.cpuUsage(c0)
  return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, value }
}

async function reportsSection(files: Map<number, string>): Promise<void> {
  out('## Reports by size, cold and warm')
  out()
  out('Each report once on a freshly opened store (no cache), wall and CPU time of this process; then each again on the same')
  out('store ("warm": its chunk cache and scratch memory kept, as in a report worker that has answered before; no figures are')
  out('cached). Then as the report API answers: through the server\'s two report workers (a fresh pool whose threads have')
  out('started and answered funnels over pages no case asks about, so their code is compiled and no case\'s data read; each')
  out('case once, then again; wall only), where a funnel is split by visitor over both workers. Data: the')
  out('generated shop (`test/bench/generate.ts`: 30 days, ~10 events per visitor, 1–3 sessions each, 4% buyers, an A/B test, spend).')
  out()
  const sizes = [...files.keys()]
  out('The last column of each size asks the cases as the server does after its start, in a process of its own (`after-start.ts`): a fresh pool warmed by')
  out('`report-runner/warm-up.ts` (the 90-day dashboard, the same page under `visitor=new`, the default funnel and data-driven')
  out('attribution over 90 days, the strict and by-session (by landing page) funnels over 28 days, the funnel under the A/B variant; no figure kept), then the 90-day dashboard')
  out('(in the rows below), then each case once.')
  out()
  out(`| report | ${sizes.map((n) => `SQLite ${fmt(n)} wall / cpu ms | ${fmt(n)} warm | ${fmt(n)} two workers, first | ${fmt(n)} two workers, warm | ${fmt(n)} two workers after the warm-up, first`).join(' | ')} |`)
  out(`|---|${sizes.map(() => '---:|---:|---:|---:|---:').join('|')}|`)
  const rows = new Map<string, string[]>()
  const dash: string[] = []
  const dashOne: string[] = []
  const dashTwo: string[] = []
  const dashSegment: string[] = []
  const dashWarmed: string[] = []
  const warmUpMs: string[] = []
  const afterStartRss: string[] = []
  for (const [n, file] of files) {
    const store = new SqliteStore(file)
    const tasks = reportTasks(store.reports, () => Date.parse('2026-10-30T18:00:00Z'), () => {})
    const first = new Map<string, string>()
    for (const [label, run] of REPORT_CASES) {
      const t = await timed(() => run(tasks, BENCH_SITE))
      first.set(label, `${t.ms.toFixed(0)} / ${t.cpu.toFixed(0)}`)
    }
    for (const [label, run] of REPORT_CASES) {
      const t = await timed(() => run(tasks, BENCH_SITE))
      rows.set(label, [...(rows.get(label) ?? []), first.get(label)!, `${t.ms.toFixed(0)} / ${t.cpu.toFixed(0)}`])
    }
    // The cold dashboard: every section of the page over 90 days, a fresh figure cache.
    const t = await timed(() => tasks.dashboard({ site: BENCH_SITE, today: BENCH_TODAY, now: Date.parse('2026-10-30T18:00:00Z'), params: DASH_90 }))
    dash.push(`${t.ms.toFixed(0)} / ${t.cpu.toFixed(0)}`)
    await store.close()
    // As the report API answers. Both threads start (and load their code) on a question about
    // another month, asked twice at once so each worker takes one; then funnels over pages no
    // case asks about compile the funnel code in both, as in a server that has answered
    // funnels before, without reading any case's chunks.
    const pool = workerRunner({ kind: 'sqlite', file }, 2, { log: () => {} })
    const ask = askRunner(pool)
    const september = parseSummaryQuery(new URLSearchParams('from=2026-09-01&to=2026-09-02'), BENCH_TODAY)
    await Promise.all([ask.summary(BENCH_SITE, september), ask.summary(BENCH_SITE, september)])
    for (const mode of ['', '&mode=strict', '&unit=session']) {
      await ask.funnel(BENCH_SITE, parseFunnelQuery(new URLSearchParams(`from=2026-10-01&to=2026-10-30&step=pageview:/features&step=pageview:/signup&step=pageview:/about${mode}`), BENCH_TODAY))
    }
    const pooled = new Map<string, string>()
    for (const [label, run] of REPORT_CASES) pooled.set(label, (await timed(() => run(ask, BENCH_SITE))).ms.toFixed(0))
    for (const [label, run] of REPORT_CASES) rows.get(label)!.push(pooled.get(label)!, (await timed(() => run(ask, BENCH_SITE))).ms.toFixed(0))
    await pool.close()
    // As the server answers after its start: the workers warmed (`warm-up.ts`), no figure
    // kept, in a process of its own, as a starting server is (`after-start.ts`).
    {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'after-start.ts'), file], { cwd: root, encoding: 'utf8', timeout: 600_000 })
      const line = r.status === 0 ? r.stdout.trim().split('\n').pop() : undefined
      const a = line ? JSON.parse(line) as { warmUpMs: number; dashboardMs: number; cases: Record<string, number>; rssMb: number } : null
      if (!a) console.error(`after-start.ts failed: ${r.stderr}`)
      warmUpMs.push(a ? `${a.warmUpMs}` : 'failed')
      dashWarmed.push(a ? `${a.dashboardMs} / -` : 'failed')
      afterStartRss.push(a ? `${a.rssMb}` : 'failed')
      for (const [label] of REPORT_CASES) rows.get(label)!.push(a ? `${a.cases[label]}` : '-')
    }
    // As the server loads it: report workers (two by default), each a lane of the page. A
    // 90-day page ending a day earlier warms them first, so the page timed finds the workers'
    // arrays touched (as in a server that has shown pages before) and no figure cached,
    // except the health panel's, which is kept a minute per site.
    for (const [size, cells, segment] of [[1, dashOne, ''], [2, dashTwo, ''], [2, dashSegment, '&device=mobile']] as const) {
      const pool = workerRunner({ kind: 'sqlite', file }, size, { log: () => {} })
      const req = (params: string) => ({ site: BENCH_SITE, today: BENCH_TODAY, now: Date.parse('2026-10-30T18:00:00Z'), params: params + segment })
      await pool.run('dashboard', req('from=2026-08-01&to=2026-10-29'))
      const t0 = performance.now()
      await pool.run('dashboard', req(DASH_90))
      cells.push(`${(performance.now() - t0).toFixed(0)} / -`)
      await pool.close()
    }
  }
  for (const [label, cells] of rows) out(`| ${label} | ${cells.join(' | ')} |`)
  // One cell a size: the first of its four columns.
  const cells = (xs: string[]) => xs.map((x) => `${x} | - | - | - | -`).join(' | ')
  out(`| **cold dashboard, 90 days** (in this process, after the cases above) | ${cells(dash)} |`)
  out(`| dashboard, 90 days, one report worker (warm worker, figures not cached; wall only) | ${cells(dashOne)} |`)
  out(`| **dashboard, 90 days, two report workers** (the server's default; warm workers, figures not cached; wall only) | ${cells(dashTwo)} |`)
  out(`| dashboard, 90 days, two report workers, segment device=mobile (same conditions) | ${cells(dashSegment)} |`)
  out(`| **cold dashboard, 90 days, as the server answers after its start** (two fresh workers warmed by \`warm-up.ts\`, no figure cached; wall only) | ${cells(dashWarmed)} |`)
  out(`| the warm-up itself (in the background of a starting server; wall ms) | ${cells(warmUpMs)} |`)
  out(`| that process's resident memory after the dashboard and every case (MB; report memory kept for good) | ${cells(afterStartRss)} |`)
  out()
}

function postgresSection(file: string, n: number): void {
  out(`## PostgreSQL beside SQLite (${fmt(n)} events)`)
  out()
  out('`test/bench/postgres.ts reports`: the same file copied into PostgreSQL 15 on this machine, each report timed on both.')
  out()
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'postgres.ts'), 'reports', '--db', file], { cwd: root, encoding: 'utf8', timeout: 600_000 })
  out('```')
  for (const line of `${r.stdout}${r.status === 0 ? '' : r.stderr}`.trim().split('\n')) out(line)
  out('```')
  out()
}

async function stallSection(file: string, n: number): Promise<void> {
  out(`## Reports never block ingest (${fmt(n)} events)`)
  out()
  const dir = mkdtempSync(join(work, 'stall-'))
  copyFileSync(file, join(dir, 'funnelbeam.db'))
  const collector = await startCollector(dir)
  // The server warms its report workers in the background (`warm-up.ts`); the quiet run starts once it has.
  const warmStart = performance.now()
  while (!collector.output().includes('report workers warmed') && performance.now() - warmStart < 120_000) await new Promise((r) => setTimeout(r, 100))
  const warmedIn = performance.now() - warmStart
  const rssWarm = rssMb(collector)
  const secs = QUICK ? 5 : 20
  const quiet = await load(collector.port, 1, secs * 1000, { rate: 200, concurrency: 50 })
  // The same steady ingest while a client opens cold dashboards and report APIs in a loop
  // (each with another model or range, so no cached figures are reused).
  let stop = false
  // Stopping aborts the report in flight: a cold 90-day dashboard over 10M events takes minutes.
  const abort = new AbortController()
  const reportTimes: number[] = []
  const session = await signIn((p, i) => fetch(collector.url + p, i), ADMIN)
  const models = ['last_non_direct', 'linear', 'first', 'position', 'time_decay']
  const reader = (async () => {
    for (let i = 0; !stop; i++) {
      const to = `2026-10-${String(30 - (i % 20)).padStart(2, '0')}`
      const paths = [
        `/dashboard/bench?from=2026-08-02&to=${to}&model=${models[i % 5]}`,
        `/api/sites/bench/funnel?from=2026-10-01&to=${to}&step=pageview:/pricing&step=event:signup&step=conversion:purchase&breakdown=channel`,
        `/api/sites/bench/attribution?from=2026-10-01&to=${to}&conversion=purchase&model=${models[i % 5]}`,
      ]
      for (const path of paths) {
        if (stop) break
        const t0 = performance.now()
        try {
          const res = await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}`, cookie: session }, signal: abort.signal })
          await res.text()
          if (res.status === 200) reportTimes.push(performance.now() - t0)
        } catch {
          break // aborted at the end of the run
        }
      }
    }
  })()
  const busy = await load(collector.port, 1, secs * 1000, { rate: 200, concurrency: 50 })
  stop = true
  abort.abort()
  await reader
  const peakWarm = peakRssMb(collector)
  await stop_(collector)
  const over1s = (r: LoadResult) => r.latencies.filter((l) => l > 1000).length
  out(`Steady single-event ingest at 200 requests/s for ${secs} s, open loop, on the real server process over this file; then the same`)
  out('while another client opens cold 90-day dashboards, funnels by channel and attribution reports back to back.')
  out()
  out('| | ingest p50 ms | p99 ms | max ms | requests over 1 s | errors / resets |')
  out('|---|---:|---:|---:|---:|---:|')
  out(`| no reports | ${q(quiet, 0.5).toFixed(1)} | ${q(quiet, 0.99).toFixed(1)} | ${q(quiet, 1).toFixed(0)} | ${over1s(quiet)} of ${quiet.latencies.length} | ${quiet.errors} |`)
  out(`| reports running | ${q(busy, 0.5).toFixed(1)} | ${q(busy, 0.99).toFixed(1)} | ${q(busy, 1).toFixed(0)} | ${over1s(busy)} of ${busy.latencies.length} | ${busy.errors} ${busy.errors ? JSON.stringify(busy.errorKinds) : ''} |`)
  out()
  reportTimes.sort((a, b) => a - b)
  out(`${reportTimes.length} reports answered meanwhile, the one in flight at the end aborted (median ${reportTimes[reportTimes.length >> 1]?.toFixed(0) ?? '-'} ms, slowest ${reportTimes[reportTimes.length - 1]?.toFixed(0) ?? '-'} ms).`)
  out()
  out(`The server's report warm-up on start took ${(warmedIn / 1000).toFixed(1)} s (until its log line; it runs in the background), after which the`)
  out(`process held **${rssWarm.toFixed(0)} MB** resident (report memory kept for good: \`FUNNELBEAM_REPORT_WARM_UP\`); its peak over this section was ${peakWarm.toFixed(0)} MB.`)
  out()
}
const stop_ = stop

async function main(): Promise<void> {
  const started = Date.now()
  out('# Benchmarks')
  out()
  out(`Written by \`npm run bench${QUICK ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} at the start, ` +
    `GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES ?? '(unset)'} (huge pages: collector/src/huge-pages.ts). Figures from one run, side by side; nothing here is asserted by the tests.`)
  out()
  await ingestSection()
  const files = new Map<number, string>()
  for (const n of SIZES) {
    const file = join(work, `bench-${n}.db`)
    const t = await timed(async () => generateBenchDb(file, n))
    console.log(`generated ${fmt(n)} events in ${(t.ms / 1000).toFixed(0)} s (${(statSync(file).size / 1e6).toFixed(0)} MB)`)
    files.set(n, file)
  }
  await reportsSection(files)
  const largest = SIZES[SIZES.length - 1]
  await stallSection(files.get(largest)!, largest)
  if (!QUICK) postgresSection(files.get(SIZES[0])!, SIZES[0])
  out(`Whole run: ${((Date.now() - started) / 60_000).toFixed(1)} minutes.`)
  out()
  out(readFileSync(join(import.meta.dirname, 'profile-notes.md'), 'utf8').trim())
  writeFileSync(join(root, 'BENCHMARKS.md'), `${md.join('\n')}\n`)
  rmSync(work, { recursive: true, force: true })
}

await main()
