import { chromium, type Browser } from 'playwright-core'

/** The flags this machine's Chromium needs: no sandbox as root, no GPU, no calls home. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']

/**
 * Debian's Chromium (or CHROMIUM_PATH) driven by playwright-core, which cannot download
 * its own browsers here.
 *
 * @example
 * const browser = await launchChromium()
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
}

/**
 * Polls until `check` stops throwing or the time is up: the SDK batches for about a
 * second and retries back off, so what a browser sent arrives a little later.
 *
 * @example
 * await eventually(() => expect(storedEvents()).toHaveLength(2))
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 120): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (err) {
      if (Date.now() > end) throw err
      await new Promise((r) => setTimeout(r, everyMs))
    }
  }
}
