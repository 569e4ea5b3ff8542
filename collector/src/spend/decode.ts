/**
 * Bytes of an uploaded spend file to text. Ad platforms do not agree on an encoding:
 * Google's "CSV (Excel)" download is UTF-16LE with a BOM, Meta writes UTF-8 with a BOM,
 * Yandex Direct offers UTF-8 or Windows-1251. A BOM decides; without one, text that is
 * valid UTF-8 is UTF-8, text with a NUL in every other byte is UTF-16LE, and anything else
 * is read as Windows-1251, the only single-byte encoding these exports use.
 */

export type SpendEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1251'

/**
 * Decodes an upload; the BOM, if any, is not part of the text.
 *
 * @example
 * decodeSpendBytes(new Uint8Array([0xff, 0xfe, 0x61, 0x00])) // { text: 'a', encoding: 'utf-16le' }
 */
export function decodeSpendBytes(bytes: Uint8Array): { text: string; encoding: SpendEncoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decode(bytes.subarray(3), 'utf-8')
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decode(bytes.subarray(2), 'utf-16le')
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decode(bytes.subarray(2), 'utf-16be')
  if (looksUtf16le(bytes)) return decode(bytes, 'utf-16le')
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' }
  } catch {
    return decode(bytes, 'windows-1251')
  }
}

function decode(bytes: Uint8Array, encoding: SpendEncoding): { text: string; encoding: SpendEncoding } {
  return { text: new TextDecoder(encoding).decode(bytes), encoding }
}

/** ASCII text as UTF-16LE has a zero in every odd byte; two thirds of the first 64 pairs will do. */
function looksUtf16le(bytes: Uint8Array): boolean {
  const pairs = Math.min(64, bytes.length >> 1)
  if (pairs < 2) return false
  let zeros = 0
  for (let i = 0; i < pairs; i++) if (bytes[2 * i + 1] === 0 && bytes[2 * i] !== 0) zeros++
  return zeros * 3 >= pairs * 2
}
