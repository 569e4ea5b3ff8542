/**
 * Report workers yield the CPU to ingest. On a two-core machine a report worker busy with
 * a cold dashboard and a second one with its other lane leave the thread that answers
 * `/collect` and the derivation thread to compete for the same cores; at a lower priority
 * (nice 5: about a third of a default thread's share when both want a core) the scheduler
 * runs ingest first, and reports still get every cycle ingest leaves idle.
 */
import { readlinkSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'

/** The nice value of report worker threads. */
export const REPORT_NICE = 5

/**
 * Lowers this thread's CPU priority to `nice` (never raises it), and answers the
 * thread's nice value; null where threads cannot be told apart (not Linux) or the system
 * refuses.
 *
 * @example
 * lowerThreadPriority() // 5, in a report worker on Linux
 */
export function lowerThreadPriority(nice = REPORT_NICE): number | null {
  if (process.platform !== 'linux') return null
  try {
    // On Linux a thread is a task with an id of its own, and setpriority() on that id applies to it alone.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (getPriority(tid) < nice) setPriority(tid, nice)
    return getPriority(tid)
  } catch {
    return null
  }
}
