/**
 * `funnelbeam`: the collector's command line. Exit codes: 0 done, 1 failed (the message
 * says why), 2 called wrongly (the message names the argument; `--help` shows usage).
 */
import { pathToFileURL } from 'node:url'
import { CliError, commandHelp, parseInvocation, UsageError, type Command, type Invocation, type Output } from './command.ts'
import { silentProgress, terminalProgress, textProgress, type Progress } from './progress.ts'
import { siteAdd, siteList, siteShow } from './commands/site.ts'
import { spendImport } from './commands/spend.ts'
import { tokenCreate, tokenList, tokenRevoke } from './commands/token.ts'
import { exportCommand } from './commands/export.ts'
import { migrateCommand } from './commands/migrate.ts'
import { rebuildCommand } from './commands/rebuild.ts'
import { startCommand } from './commands/start.ts'
import { collectorVersion } from '../version.ts'

export const COMMANDS: Command[] = [startCommand, siteAdd, siteList, siteShow, tokenCreate, tokenList, tokenRevoke, spendImport, exportCommand, migrateCommand, rebuildCommand]


/** The top-level --help. */
export function mainHelp(): string {
  const rows = COMMANDS.map((c) => [[...c.path, ...c.args].join(' '), c.summary.split('. ')[0].replace(/\.$/, '')])
  const width = Math.max(...rows.map((r) => r[0].length)) + 2
  return [
    'Usage: funnelbeam <command> [options]',
    '',
    'Commands:',
    ...rows.map(([u, s]) => `  ${u.padEnd(width)}${s}`),
    '',
    'Every command takes --help, and --json for output that scripts read.',
    'Configuration comes from the same environment as the server: DATA_DIR (default ./data),',
    'DATABASE_URL (PostgreSQL instead of the SQLite file), FUNNELBEAM_ADMIN_TOKEN.',
    '',
  ].join('\n')
}

export interface Io {
  stdout: Output['stdout']
  stderr: Output['stderr']
  env: Record<string, string | undefined>
}

/**
 * Runs one command line; answers the exit code.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
 */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const say = (s: string) => io.stderr.write(s.endsWith('\n') ? s : s + '\n')
  if (argv.length === 0) { say(mainHelp()); return 2 }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') { io.stdout.write(mainHelp()); return 0 }
  if (argv[0] === '--version' || argv[0] === '-v') { io.stdout.write(collectorVersion() + '\n'); return 0 }
  const cmd = COMMANDS.filter((c) => c.path.every((w, i) => argv[i] === w)).sort((a, b) => b.path.length - a.path.length)[0]
  const wantsJson = argv.includes('--json')
  const fail = (code: string, message: string, exit: number) => {
    say(wantsJson ? JSON.stringify({ error: { code, message } }) : `funnelbeam: ${message}`)
    return exit
  }
  if (!cmd) {
    const group = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === argv[0])
    if (group.length) {
      const help = argv.includes('--help') || argv.includes('-h')
      const text = `Usage: funnelbeam ${argv[0]} <${group.map((c) => c.path[1]).join('|')}> [options]\n\n` +
        group.map((c) => `  funnelbeam ${[...c.path, ...c.args].join(' ')}\n      ${c.summary}`).join('\n') + '\n'
      if (help) { io.stdout.write(text); return 0 }
      say(argv[1] ? `funnelbeam: unknown command "${argv[0]} ${argv[1]}"\n\n${text}` : text)
      return 2
    }
    return fail('usage', `unknown command "${argv[0]}" (funnelbeam --help lists them)`, 2)
  }
  let parsed
  try {
    parsed = parseInvocation(cmd, argv.slice(cmd.path.length))
  } catch (err) {
    if (err instanceof UsageError) return fail('usage', `${cmd.path.join(' ')}: ${err.message} (funnelbeam ${cmd.path.join(' ')} --help)`, 2)
    throw err
  }
  if (parsed.help) { io.stdout.write(commandHelp(cmd)); return 0 }
  const out: Output = {
    stdout: io.stdout, stderr: io.stderr,
    result: (human, data) => io.stdout.write(parsed.json ? JSON.stringify(data, null, 2) + '\n' : human + '\n'),
    note: (line) => say(line),
  }
  const progress: Progress = io.stderr.isTTY ? await terminalProgress(io.stderr) : parsed.json ? silentProgress : textProgress(io.stderr)
  const inv: Invocation = { positionals: parsed.positionals, options: parsed.options, json: parsed.json, out, env: io.env, progress }
  try {
    return (await cmd.run(inv)) ?? 0
  } catch (err) {
    progress.stop()
    if (err instanceof UsageError) return fail('usage', `${cmd.path.join(' ')}: ${err.message} (funnelbeam ${cmd.path.join(' ')} --help)`, 2)
    if (err instanceof CliError) return fail('failed', err.message, err.exitCode)
    const e = err as { message?: string; code?: string }
    if (io.env.FUNNELBEAM_DEBUG) say(String((err as Error).stack))
    return fail('failed', `${cmd.path.join(' ')} failed: ${e.message || e.code || String(err)}`, 1)
  }
}

// Run when executed (`node --import tsx collector/src/cli/main.ts …`); the bin imports runCli.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
}
