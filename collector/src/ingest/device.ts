import { isbot } from 'isbot'

/** Device class from the user agent, falling back to screen width when the UA says nothing. */
export function deviceOf(ua: string | null, screenWidth: number | null): 'mobile' | 'tablet' | 'desktop' | null {
  if (ua) {
    if (/iPad|Tablet|PlayBook|Silk|Android(?!.*Mobile)/i.test(ua)) return 'tablet'
    if (/Mobi|iPhone|iPod|Android|Windows Phone/i.test(ua)) return 'mobile'
    if (/Windows NT|Macintosh|X11|CrOS/i.test(ua)) return 'desktop'
  }
  if (screenWidth) return screenWidth < 768 ? 'mobile' : screenWidth < 1024 ? 'tablet' : 'desktop'
  return null
}

const BROWSERS: ReadonlyArray<readonly [string, RegExp]> = [
  ['Edge', /Edg(e|A|iOS)?\//],
  ['Opera', /OPR\/|Opera/],
  ['Samsung Internet', /SamsungBrowser/],
  ['Firefox', /Firefox|FxiOS/],
  ['Chrome', /Chrome|CriOS|Chromium/],
  ['Safari', /Safari/],
]

/** Browser family from the user agent; order matters since Edge and Opera also say Chrome. */
export function browserOf(ua: string | null): string | null {
  if (!ua) return null
  for (const [name, re] of BROWSERS) if (re.test(ua)) return name
  return 'Other'
}

/**
 * Bot traffic: a known bot user agent (isbot) or the SDK's webdriver flag. `allowBots`
 * lets tests and the demo count headless browsers as people.
 */
export function isBotTraffic(ua: string | null, webdriver: boolean, allowBots: boolean): boolean {
  if (allowBots) return false
  return webdriver || (ua ? isbot(ua) : false)
}
