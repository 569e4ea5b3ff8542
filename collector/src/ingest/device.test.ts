import { describe, expect, it } from 'vitest'
import { browserOf, deviceOf, isBotTraffic } from './device.ts'

// Real user agent strings, as the browsers send them.
const UA = {
  chromeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  chromeOs: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  chromeIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
  safariIpad: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  chromeAndroidPhone: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
  chromeAndroidTablet: 'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Safari/537.36',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  firefoxLinux: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  firefoxAndroid: 'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0',
  firefoxIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/125.0 Mobile/15E148 Safari/605.1.15',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80',
  edgeAndroid: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 EdgA/124.0.2478.64',
  edgeIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/124.2478.71 Mobile/15E148 Safari/605.1.15',
  samsungPhone: 'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
  samsungTablet: 'Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Safari/537.36',
  operaWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0',
  operaAndroid: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 OPR/82.0.4227.77',
  kindleFire: 'Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/124.2.1 like Chrome/124.0.6367.118 Safari/537.36',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  googlebotSmartphone: 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  bingbot: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  headlessChrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
  curl: 'curl/8.5.0',
}

describe('deviceOf', () => {
  const cases: [keyof typeof UA, 'mobile' | 'tablet' | 'desktop'][] = [
    ['chromeWindows', 'desktop'],
    ['chromeMac', 'desktop'],
    ['chromeOs', 'desktop'],
    ['safariMac', 'desktop'],
    ['firefoxWindows', 'desktop'],
    ['firefoxLinux', 'desktop'],
    ['edgeWindows', 'desktop'],
    ['operaWindows', 'desktop'],
    ['safariIphone', 'mobile'],
    ['chromeIphone', 'mobile'],
    ['firefoxIphone', 'mobile'],
    ['edgeIphone', 'mobile'],
    ['chromeAndroidPhone', 'mobile'],
    ['firefoxAndroid', 'mobile'],
    ['edgeAndroid', 'mobile'],
    ['samsungPhone', 'mobile'],
    ['operaAndroid', 'mobile'],
    ['safariIpad', 'tablet'],
    ['chromeAndroidTablet', 'tablet'],
    ['samsungTablet', 'tablet'],
    ['kindleFire', 'tablet'],
  ]
  for (const [ua, device] of cases) {
    it(`${ua} is ${device}`, () => {
      // A desktop-sized screen must not override what the user agent says.
      expect(deviceOf(UA[ua], 1920)).toBe(device)
    })
  }

  it('falls back to the screen width when the user agent says nothing', () => {
    expect(deviceOf(UA.curl, 390)).toBe('mobile')
    expect(deviceOf(null, 767)).toBe('mobile')
    expect(deviceOf(null, 768)).toBe('tablet')
    expect(deviceOf(null, 1023)).toBe('tablet')
    expect(deviceOf(null, 1024)).toBe('desktop')
  })

  it('is unknown without a user agent hint or a screen width', () => {
    expect(deviceOf(null, null)).toBeNull()
    expect(deviceOf(UA.curl, null)).toBeNull()
    expect(deviceOf('', 0)).toBeNull()
  })
})

describe('browserOf', () => {
  const cases: [keyof typeof UA, string][] = [
    ['chromeWindows', 'Chrome'],
    ['chromeMac', 'Chrome'],
    ['chromeIphone', 'Chrome'],
    ['chromeAndroidPhone', 'Chrome'],
    ['safariMac', 'Safari'],
    ['safariIphone', 'Safari'],
    ['safariIpad', 'Safari'],
    ['firefoxWindows', 'Firefox'],
    ['firefoxAndroid', 'Firefox'],
    ['firefoxIphone', 'Firefox'],
    ['edgeWindows', 'Edge'],
    ['edgeAndroid', 'Edge'],
    ['edgeIphone', 'Edge'],
    ['samsungPhone', 'Samsung Internet'],
    ['samsungTablet', 'Samsung Internet'],
    ['operaWindows', 'Opera'],
    ['operaAndroid', 'Opera'],
  ]
  for (const [ua, browser] of cases) {
    it(`${ua} is ${browser}`, () => {
      expect(browserOf(UA[ua])).toBe(browser)
    })
  }

  it('is Other for a client it does not know, null without a user agent', () => {
    expect(browserOf(UA.curl)).toBe('Other')
    expect(browserOf(null)).toBeNull()
  })
})

describe('isBotTraffic', () => {
  it('flags known crawlers and headless browsers', () => {
    for (const ua of [UA.googlebot, UA.googlebotSmartphone, UA.bingbot, UA.headlessChrome]) {
      expect(isBotTraffic(ua, false, false)).toBe(true)
    }
  })

  it('does not flag real browsers', () => {
    for (const ua of [UA.chromeWindows, UA.safariIphone, UA.samsungPhone, UA.firefoxAndroid, UA.edgeWindows, UA.operaWindows]) {
      expect(isBotTraffic(ua, false, false)).toBe(false)
    }
  })

  it('flags a browser driven by webdriver even with a normal user agent', () => {
    expect(isBotTraffic(UA.chromeWindows, true, false)).toBe(true)
    expect(isBotTraffic(null, true, false)).toBe(true)
  })

  it('allowBots counts everything as people (tests, the demo)', () => {
    expect(isBotTraffic(UA.headlessChrome, true, true)).toBe(false)
    expect(isBotTraffic(UA.googlebot, false, true)).toBe(false)
  })

  it('no user agent and no webdriver flag is not a bot', () => {
    expect(isBotTraffic(null, false, false)).toBe(false)
  })
})
