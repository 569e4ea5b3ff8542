import { describe, expect, it } from 'vitest'
import { duration, libraryProgress, progressLine, textProgress } from '../../collector/src/cli/progress.ts'

// cli-progress is a dependency the lead adds; until it is installed that test skips, saying so.
const lib = await import(/* @vite-ignore */ ['cli', 'progress'].join('-')).then((m) => m.default ?? m, () => null)
if (!lib) console.warn('skipping the cli-progress bar: cli-progress is not installed')

describe('progress bar', () => {
  it('shows share, counts, rate and time left', () => {
    expect(progressLine('events', 250_000, 1_000_000, 5000, 8)).toBe('events [██░░░░░░]  25% 250,000/1,000,000 | 50,000/s | ETA 15s')
    expect(progressLine('rows', 10, null, 2000)).toBe('rows 10 | 5/s')
    expect([duration(125), duration(3720), duration(Infinity)]).toEqual(['2m05s', '1h02m', '?'])
  })

  it('off a terminal, prints a line every few seconds and the final figures only after a long job', () => {
    let t = 0
    const lines: string[] = []
    const p = textProgress({ write: (s) => { lines.push(s); return true } }, () => t, 5000)
    p.start('short', 10); p.update(10); p.stop()
    expect(lines).toEqual([])
    p.start('long', 100)
    for (t = 1000; t <= 12_000; t += 1000) p.update(t / 200)
    p.stop()
    expect(lines.map((l) => l.split(' |')[0])).toEqual(['long [██████░░░░░░░░░░░░░░░░░░]  25% 25/100', 'long [████████████░░░░░░░░░░░░]  50% 50/100', 'long [██████████████░░░░░░░░░░]  60% 60/100'])
  })

  it.skipIf(!lib)('with cli-progress installed, draws the same figures through it on a terminal', () => {
    let out = ''
    let t = 0
    const stream = { write: (x: string) => { out += x; return true }, isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, on() {}, removeListener() {} }
    const p = libraryProgress(lib, stream as never, () => t)
    p.start('events', 1_000_000)
    for (t = 1000; t <= 4000; t += 1000) p.update(t * 100)
    p.stop()
    expect(out).toContain('events [')
    expect(out).toContain('400,000/1,000,000')
    expect(out).toContain('100,000/s')
  })
})
