/**
 * The shape of a `funnelbeam` command and the one place its arguments are parsed
 * (node's `util.parseArgs`): unknown options, missing values and a wrong number of
 * positionals are usage errors (exit 2) that name the option and point to `--help`.
 */
import { parseArgs } from 'node:util'
import type { Progress } from './progress.ts'

export interface OptionSpec {
  type: 'string' | 'boolean'
  multiple?: boolean
  short?: string
  /** Shown in --help after the option, e.g. `<url>`. */
  value?: string
  description: string
}

export interface Invocation {
  positionals: string[]
  options: Record<string, string | string[] | boolean | undefined>
  json: boolean
  out: Output
  env: Record<string, string | undefined>
  progress: Progress
}

/** Where commands write: results to stdout (human text, or one JSON document with --json), notes to stderr. */
export interface Output {
  /** A result: `human` lines on a terminal, `data` as JSON with --json. */
  result(human: string, data: unknown): void
  /** A note for people (progress, hints); never on stdout, so `--json` output stays parseable. */
  note(line: string): void
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  stdout: NodeJS.WritableStream
}

export interface Command {
  /** Words that select it: `['site', 'add']`. */
  path: string[]
  summary: string
  /** Positional names as shown in the usage line; `…` after a name takes the rest. */
  args: string[]
  options: Record<string, OptionSpec>
  /** More help text after the options. */
  details?: string
  run(inv: Invocation): Promise<number | void>
}

/** A mistake in how the command was called: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {}

/** A failure the user can act on (no such site, unreadable file): exit 1, message only, no stack. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message)
  }
}

export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'machine-readable output: one JSON document on stdout' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
}

/**
 * Parses `argv` (the words after the command's path) for `cmd`.
 *
 * @example
 * parseInvocation(siteAdd, ['shop', '--origin', 'https://shop.example'])
 * // { positionals: ['shop'], options: { origin: ['https://shop.example'] }, help: false, json: false }
 */
export function parseInvocation(cmd: Command, argv: string[]): { positionals: string[]; options: Invocation['options']; help: boolean; json: boolean } {
  const specs = { ...cmd.options, ...COMMON_OPTIONS }
  let parsed
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: Object.fromEntries(Object.entries(specs).map(([k, o]) => [k, { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) }])),
    })
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''))
  }
  const { help, json, ...options } = parsed.values as Record<string, string | string[] | boolean | undefined>
  if (help) return { positionals: parsed.positionals, options, help: true, json: Boolean(json) }
  const rest = cmd.args.some((a) => a.endsWith('…'))
  const need = cmd.args.filter((a) => !a.startsWith('[')).length
  if (parsed.positionals.length < need) throw new UsageError(`missing ${cmd.args.slice(parsed.positionals.length).filter((a) => !a.startsWith('[')).join(' ')}`)
  if (!rest && parsed.positionals.length > cmd.args.length) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[cmd.args.length])}`)
  return { positionals: parsed.positionals, options, help: false, json: Boolean(json) }
}

/** The --help text of one command. */
export function commandHelp(cmd: Command): string {
  const specs = { ...cmd.options, ...COMMON_OPTIONS }
  const rows = Object.entries(specs).map(([k, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${k}${o.value ? ` ${o.value}` : ''}`
    return [flag, o.description + (o.multiple ? ' (repeatable)' : '')]
  })
  const width = Math.max(...rows.map((r) => r[0].length)) + 2
  return [
    `Usage: funnelbeam ${[...cmd.path, ...cmd.args].join(' ')} [options]`,
    '',
    cmd.summary,
    '',
    'Options:',
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`),
    ...(cmd.details ? ['', cmd.details] : []),
    '',
  ].join('\n')
}

/** A string option, or undefined. */
export const str = (inv: Invocation, name: string): string | undefined => {
  const v = inv.options[name]
  return typeof v === 'string' ? v : undefined
}
