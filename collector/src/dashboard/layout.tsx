/** @jsxImportSource hono/jsx */
/**
 * The dashboard's page frame and its login and error pages. No inline scripts or styles:
 * the one stylesheet is a served file, so the Content-Security-Policy can forbid both.
 */
import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'

export const CSS_PATH = '/dashboard/_/dashboard.css'
/** The funnel mark as a data URL (the CSP allows data: images), so no request can 404. */
const FAVICON = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M3 4h18l-7 8v6l-4 2v-8z" fill="#2563eb"/></svg>')}`

export function Layout(props: { title: string; children?: Child; wide?: boolean }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="same-origin" />
          <title>{props.title}</title>
          <link rel="stylesheet" href={CSS_PATH} />
          <link rel="icon" href={FAVICON} />
        </head>
        <body class={props.wide ? 'dash' : 'dash dash-narrow'}>{props.children}</body>
      </html>
    </>
  )
}

export function Logo() {
  return (
    <a class="brand" href="/dashboard">
      <svg class="brand-mark" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <path d="M3 4h18l-7 8v6l-4 2v-8z" fill="currentColor" />
      </svg>
      Funnelbeam
    </a>
  )
}

/** The top bar of a site's secondary page (ad platforms, alerts): the logo, the site back to its dashboard, sign out. */
export function SiteTopbar(props: { site: string }) {
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <Logo />
        <a class="site-name" href={`/dashboard/${encodeURIComponent(props.site)}`}>{props.site}</a>
        <a class="signout" href="/dashboard/logout">Sign out</a>
      </div>
    </header>
  )
}

/** The login form: the only POST of the dashboard. */
export function LoginPage(props: { next: string; error?: string }) {
  return (
    <Layout title="Sign in · Funnelbeam">
      <main class="login">
        <Logo />
        <form class="card login-card" method="post" action="/dashboard/login">
          <h1>Sign in to your dashboard</h1>
          <p class="muted">Use the admin token printed when the collector first started (or set in <code>FUNNELBEAM_ADMIN_TOKEN</code>), or a report token for one site.</p>
          {props.error ? <p class="notice notice-bad" role="alert">{props.error}</p> : null}
          <label for="token">Admin token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required maxlength={512} autofocus />
          <input type="hidden" name="next" value={props.next} />
          <button class="button" type="submit">Sign in</button>
        </form>
      </main>
    </Layout>
  )
}

export function MessagePage(props: { title: string; message: string }) {
  return (
    <Layout title={`${props.title} · Funnelbeam`}>
      <main class="login">
        <Logo />
        <div class="card login-card">
          <h1>{props.title}</h1>
          <p>{props.message}</p>
          <p><a href="/dashboard">Back to the dashboard</a></p>
        </div>
      </main>
    </Layout>
  )
}

/** Site picker shown at `/dashboard` after login. */
export function SitesPage(props: { sites: string[] }) {
  return (
    <Layout title="Sites · Funnelbeam">
      <main class="login">
        <Logo />
        <div class="card login-card">
          <h1>Open a site</h1>
          <form method="get" action="/dashboard/open" class="stack">
            <label for="site">Site id</label>
            <input id="site" name="site" required pattern="[a-z0-9][a-z0-9_-]{0,63}" list="known-sites" value={props.sites[0] ?? ''} />
            <datalist id="known-sites">{props.sites.map((s) => <option value={s} />)}</datalist>
            <button class="button" type="submit">Open dashboard</button>
          </form>
          <p class="muted"><a href="/dashboard/logout">Sign out</a></p>
        </div>
      </main>
    </Layout>
  )
}
