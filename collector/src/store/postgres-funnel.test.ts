import { describe, expect, it } from 'vitest'
import { likePattern } from './postgres-funnel.ts'

describe('likePattern', () => {
  it('turns * and ** into % and escapes what LIKE would read as wildcards', () => {
    expect(likePattern('/blog/*')).toBe('/blog/%')
    expect(likePattern('/docs/**/intro')).toBe('/docs/%/intro')
    expect(likePattern('/100%_off\\x/*')).toBe('/100\\%\\_off\\\\x/%')
  })
})
