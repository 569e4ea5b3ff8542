/**
 * Starts the collector again with glibc's transparent huge pages on, where that pays.
 *
 * Reports read their day chunks out of SQLite into fresh memory, and on the VMs this runs on
 * the first touch of a fresh 4 KB page costs so much (6-9 ms a MB measured, against 0.2 ms to
 * write the same memory again) that a report's first read of its chunks is mostly page faults.
 * With `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, glibc asks the kernel for 2 MB pages for the
 * memory it maps (`madvise(MADV_HUGEPAGE)`): the same first touch then cost a quarter to a
 * third as much, and reading 80 MB of chunks about half as long (test/bench/profile-notes.md).
 * glibc reads tunables only when a process starts, so a collector started without it runs
 * itself again as a child with it, once.
 *
 * It does so only on Linux with glibc and transparent huge pages in `madvise` mode (Debian's
 * and Ubuntu's default): with `always` every process has them already, with `never` none can.
 * `FUNNELBEAM_HUGE_PAGES=0` turns it off; a `GLIBC_TUNABLES` that names `glibc.malloc.hugetlb`
 * is left as it is; under `--inspect` the process started is the one debugged.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { constants } from 'node:os'

export const HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb=1'
const RELAUNCHED = 'FUNNELBEAM_RELAUNCHED'
const THP_SETTING = '/sys/kernel/mm/transparent_hugepage/enabled'

/** What decides whether a relaunch can turn huge pages on. */
export interface HugePageFacts {
  platform: string
  /** The C library is glibc (only glibc reads `GLIBC_TUNABLES`). */
  glibc: boolean
  /** The kernel's THP setting as `/sys/kernel/mm/transparent_hugepage/enabled` shows it, or null. */
  thp: string | null
  /** Node's own flags (`process.execArgv`). */
  execArgv?: string[]
}

/**
 * The environment to start the collector again with, or null where a relaunch changes nothing.
 *
 * @example
 * hugePagesEnv({ PATH: '/bin' }, { platform: 'linux', glibc: true, thp: 'always [madvise] never' })
 * // { PATH: '/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }
 */
export function hugePagesEnv(env: NodeJS.ProcessEnv, facts: HugePageFacts): NodeJS.ProcessEnv | null {
  if (facts.platform !== 'linux' || !facts.glibc) return null
  if (!facts.thp?.includes('[madvise]')) return null
  if (env[RELAUNCHED] || /^(0|off|false|no)$/i.test(env.FUNNELBEAM_HUGE_PAGES ?? '')) return null
  // Under a debugger the inspector's port belongs to the first process: the debugger would
  // attach to the one that only waits.
  if ([...(facts.execArgv ?? []), ...(env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith('--inspect'))) return null
  const tunables = env.GLIBC_TUNABLES ?? ''
  if (tunables.includes('glibc.malloc.hugetlb')) return null
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${HUGE_PAGES_TUNABLE}` : HUGE_PAGES_TUNABLE }
}

function hostFacts(): HugePageFacts {
  let thp: string | null = null
  try { thp = readFileSync(THP_SETTING, 'utf8').trim() } catch { /* no THP in this kernel */ }
  const header = process.platform === 'linux' ? (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header : undefined
  return { platform: process.platform, glibc: Boolean(header?.glibcVersionRuntime), thp, execArgv: process.execArgv }
}

/**
 * Runs this process's command again as a child with huge pages on, when `hugePagesEnv` says
 * it pays, and resolves with the exit code to leave with once the child has ended; resolves
 * null where the caller should go on in this process. The parent passes SIGTERM, SIGINT and
 * SIGHUP on; the child ends itself at once if the parent dies (SIGKILL included), so a
 * supervisor that kills the collector never leaves a server behind.
 *
 * @example
 * const code = await relaunchWithHugePages()
 * if (code !== null) process.exit(code)
 * await runServer()
 */
export async function relaunchWithHugePages(env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  if (env[RELAUNCHED] && process.channel) {
    // The IPC channel closes when the parent process ends, however it ends.
    process.channel.unref()
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'))
    return null
  }
  const next = hugePagesEnv(env, hostFacts())
  if (!next) return null
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...next, [RELAUNCHED]: '1' },
  })
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const
  const forward = (signal: NodeJS.Signals) => { child.kill(signal) }
  for (const s of signals) process.on(s, forward)
  return new Promise((resolve) => {
    const done = (code: number | null) => {
      for (const s of signals) process.off(s, forward)
      resolve(code)
    }
    // Could not start a child (no such executable, no memory): run here, without huge pages.
    child.once('error', () => done(null))
    child.once('exit', (code, signal) => done(signal ? 128 + (constants.signals[signal] ?? 0) : code ?? 1))
  })
}
