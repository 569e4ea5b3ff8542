import { afterEach, describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { hugePagesEnv, HUGE_PAGES_TUNABLE } from '../../collector/src/huge-pages.ts'
import { serverProcesses } from '../helpers/server-process.ts'

const linux = { platform: 'linux', glibc: true, thp: 'always [madvise] never' }

describe('hugePagesEnv', () => {
  it('adds the huge pages tunable on Linux with glibc and THP in madvise mode, keeping other tunables', () => {
    expect(hugePagesEnv({ PATH: '/bin' }, linux)).toEqual({ PATH: '/bin', GLIBC_TUNABLES: HUGE_PAGES_TUNABLE })
    expect(hugePagesEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, linux)?.GLIBC_TUNABLES).toBe(`glibc.malloc.arena_max=2:${HUGE_PAGES_TUNABLE}`)
  })

  it('starts nothing again where it would change nothing or was turned off', () => {
    expect(hugePagesEnv({}, { ...linux, thp: 'always madvise [never]' })).toBeNull()
    expect(hugePagesEnv({}, { ...linux, thp: '[always] madvise never' })).toBeNull() // every process has them already
    expect(hugePagesEnv({}, { ...linux, thp: null })).toBeNull()
    expect(hugePagesEnv({}, { ...linux, glibc: false })).toBeNull() // musl ignores GLIBC_TUNABLES
    expect(hugePagesEnv({}, { ...linux, platform: 'darwin' })).toBeNull()
    expect(hugePagesEnv({ FUNNELBEAM_HUGE_PAGES: '0' }, linux)).toBeNull()
    expect(hugePagesEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, linux)).toBeNull() // the operator's own choice
    expect(hugePagesEnv({ FUNNELBEAM_RELAUNCHED: '1' }, linux)).toBeNull() // never twice
    // A debugger attaches to the process started.
    expect(hugePagesEnv({}, { ...linux, execArgv: ['--inspect=9229'] })).toBeNull()
    expect(hugePagesEnv({ NODE_OPTIONS: '--max-old-space-size=512 --inspect-brk' }, linux)).toBeNull()
    expect(hugePagesEnv({ NODE_OPTIONS: '--max-old-space-size=512' }, { ...linux, execArgv: ['--import', 'tsx'] })).not.toBeNull()
  })
})

// What the relaunch does to a real server process; only where this kernel offers huge pages on request.
const thp = existsSync('/sys/kernel/mm/transparent_hugepage/enabled') ? readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8') : ''
const madvise = process.platform === 'linux' && thp.includes('[madvise]')
if (!madvise) console.warn(`huge-pages.test: skipping the server process tests: transparent huge pages are not in madvise mode here (${thp.trim() || 'no THP'})`)

const servers = serverProcesses()
afterEach(() => servers.stopAll())
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'))

describe.skipIf(!madvise)('the collector started without huge pages', () => {
  it('serves from a child started with them, whose memory is then partly in huge pages', { timeout: 60_000 }, async () => {
    const { child, pid, url } = await servers.start({ env: { GLIBC_TUNABLES: '' } })
    expect(pid).not.toBe(child.pid)
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain(`GLIBC_TUNABLES=${HUGE_PAGES_TUNABLE}`)
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    const huge = Number(/AnonHugePages:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))![1])
    expect(huge).toBeGreaterThan(0)
  })

  it('stops cleanly on SIGTERM to the process started, which leaves with the server exit code', { timeout: 60_000 }, async () => {
    const { child, pid, output } = await servers.start({ env: { GLIBC_TUNABLES: '' } })
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output()).toContain('"msg":"stopped"')
    expect(alive(pid)).toBe(false)
  })

  it('leaves no server behind when the process started is killed with SIGKILL', { timeout: 60_000 }, async () => {
    const { child, pid, url } = await servers.start({ env: { GLIBC_TUNABLES: '' } })
    child.kill('SIGKILL')
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50))
    expect(alive(pid)).toBe(false)
    await expect(fetch(`${url}/healthz`)).rejects.toThrow()
  })

  it('runs in the process started with FUNNELBEAM_HUGE_PAGES=0', { timeout: 60_000 }, async () => {
    const { child, pid } = await servers.start({ env: { GLIBC_TUNABLES: '', FUNNELBEAM_HUGE_PAGES: '0' } })
    expect(pid).toBe(child.pid)
  })
})
