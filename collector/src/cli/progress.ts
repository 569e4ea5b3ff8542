/**
 * Progress of a long command (import, export, migration): a bar with rate and ETA on a
 * terminal, a line every few seconds otherwise, nothing with `--json` unless stderr is a
 * terminal. Behind this interface so a library (cli-progress) can replace the built-in
 * bar without touching the commands.
 */
export interface Progress {
  /** Starts (or restarts) a bar; `total` null when unknown. */
  start(label: string, total: number | null, done?: number): void
  update(done: number): void
  stop(): void
}

export interface ProgressStream {
  write(s: string): boolean
  isTTY?: boolean
  columns?: number
}

/** Formats a rate and an ETA the way the bar shows them. Pure, for tests. */
export function progressLine(label: string, done: number, total: number | null, elapsedMs: number, width = 24): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0
  const n = (x: number) => Math.round(x).toLocaleString('en')
  if (total === null || total <= 0) return `${label} ${n(done)} | ${n(rate)}/s`
  const share = Math.min(1, done / total)
  const filled = Math.round(share * width)
  const eta = rate > 0 ? (total - done) / rate : Infinity
  return `${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${n(done)}/${n(total)} | ${n(rate)}/s | ETA ${duration(eta)}`
}

/** `3s`, `2m05s`, `1h02m`; `?` while unknown. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/**
 * The built-in bar: redrawn in place at most 10 times a second on a terminal; elsewhere
 * (a log file, CI) one line every `everyMs`, and the final figures if it printed any.
 *
 * @example
 * const p = textProgress(process.stderr)
 * p.start('export', 1_000_000); p.update(5000); p.stop()
 */
export function textProgress(stream: ProgressStream, now: () => number = Date.now, everyMs = 5000): Progress {
  let label = ''
  let total: number | null = null
  let done = 0
  let started = 0
  let drawn = 0
  let active = false
  let lines = 0
  const draw = (final: boolean) => {
    const line = progressLine(label, done, total, now() - started)
    if (stream.isTTY) stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1)}\x1b[K${final ? '\n' : ''}`)
    else stream.write(line + '\n')
    drawn = now()
  }
  return {
    start(l, t, d = 0) {
      this.stop()
      label = l; total = t; done = d; started = now(); drawn = stream.isTTY ? 0 : started; lines = 0; active = true
    },
    update(d) {
      done = d
      if (now() - drawn >= (stream.isTTY ? 100 : everyMs)) { draw(false); lines++ }
    },
    stop() {
      // Off a terminal a short job leaves no trace; a long one ends with its final figures.
      if (active && (stream.isTTY || lines > 0)) draw(true)
      active = false
    },
  }
}

/** Progress that shows nothing (with --json on a pipe). */
export const silentProgress: Progress = { start() {}, update() {}, stop() {} }

/** The part of cli-progress used here (https://github.com/npkg/cli-progress, MIT). */
interface CliProgressLib {
  SingleBar: new (opts: Record<string, unknown>, preset?: unknown) => {
    start(total: number, value: number, payload?: Record<string, unknown>): void
    update(value: number, payload?: Record<string, unknown>): void
    stop(): void
  }
  Presets: Record<string, unknown>
}

/**
 * A bar drawn by cli-progress, with the same figures as the built-in one.
 *
 * @example
 * const p = libraryProgress(await import('cli-progress'), process.stderr)
 */
export function libraryProgress(lib: CliProgressLib, stream: ProgressStream, now: () => number = Date.now): Progress {
  const bar = new lib.SingleBar({
    stream, hideCursor: true, clearOnComplete: false, etaBuffer: 50, fps: 10,
    format: '{label} [{bar}] {percentage}% {value}/{total} | {rate}/s | ETA {eta_formatted}',
    formatValue: (v: number, _o: unknown, type: string) => (type === 'value' || type === 'total' ? v.toLocaleString('en') : v),
  }, lib.Presets.shades_classic)
  let active = false
  let started = 0
  const rate = (done: number) => Math.round((done * 1000) / Math.max(1, now() - started)).toLocaleString('en')
  return {
    start(label, total, done = 0) {
      if (active) bar.stop()
      started = now()
      active = true
      bar.start(total ?? 0, done, { label, rate: '0' })
    },
    update(done) {
      bar.update(done, { rate: rate(done) })
    },
    stop() {
      if (active) bar.stop()
      active = false
    },
  }
}

/**
 * The bar for a terminal: cli-progress once it is installed, the built-in one until then.
 * Off a terminal (logs, CI) always the built-in lines.
 *
 * @example
 * const progress = await terminalProgress(process.stderr)
 */
export async function terminalProgress(stream: ProgressStream): Promise<Progress> {
  if (!stream.isTTY) return textProgress(stream)
  // A specifier in a variable: the package is optional, so neither tsc nor a bundler insists on it.
  const name = 'cli-progress'
  const lib = await import(/* @vite-ignore */ name).then((m: { default?: CliProgressLib } & CliProgressLib) => m.default ?? m, () => null)
  return lib ? libraryProgress(lib, stream) : textProgress(stream)
}
