/**
 * The identity of a page for "never two pageviews in a row for one URL": an anchor
 * (`#pricing`) is the same page, a hash route (`#/cart`, `#!/cart`) is a new one.
 *
 * @example
 * pageKey('https://a.example/p#faq')   // 'https://a.example/p'
 * pageKey('https://a.example/#/cart')  // 'https://a.example/#/cart'
 */
export const pageKey = (href: string): string => href.replace(/#(?!!?\/).*/, '')
