import type { Reports } from '../reports/service.ts'
import type { ReportRunner } from './runner.ts'

/**
 * The reports service's shape over a runner, for routes that think in reports.
 *
 * @example
 * const reports = runnerReports(runner)
 * await reports.funnel(site, q)
 */
export function runnerReports(runner: ReportRunner): Reports {
  return {
    summary: (site, q) => runner.run('summary', site, q),
    funnel: (site, q) => runner.run('funnel', site, q),
    channels: (site, q) => runner.run('channels', site, q),
    campaigns: (site, q) => runner.run('campaigns', site, q),
    attribution: (site, q) => runner.run('attribution', site, q),
    experiment: (site, name, q) => runner.run('experiment', site, name, q),
  }
}
