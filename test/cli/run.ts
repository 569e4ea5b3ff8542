import { spawn } from 'node:child_process'
import { join } from 'node:path'

export const root = join(import.meta.dirname, '../..')

export interface Ran { code: number | null; stdout: string; stderr: string }

/**
 * Runs `funnelbeam …` as a process, as a user would (`node --import tsx collector/src/cli/main.ts`).
 *
 * @example
 * const r = await funnelbeam(['site', 'list', '--json'], { DATA_DIR: dir })
 */
export function funnelbeam(args: string[], env: Record<string, string> = {}, input?: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'collector/src/cli/main.ts', ...args], {
      cwd: root, env: { ...process.env, DATABASE_URL: '', FUNNELBEAM_ADMIN_TOKEN: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}
