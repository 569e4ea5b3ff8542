import { StrictMode, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { init } from 'funnelbeam'

// Once, before the first render: the SDK records this pageview, then one per
// history.pushState and per back/forward (popstate), so the router needs no tracking code.
init({ site: 'shop', endpoint: import.meta.env.VITE_FUNNELBEAM_ENDPOINT })

const pages = { '/': 'Home', '/pricing': 'Pricing', '/signup': 'Sign up' }

function Link({ to, navigate, children }) {
  const onClick = (e) => {
    e.preventDefault()
    navigate(to)
  }
  return <a href={to} onClick={onClick}>{children}</a>
}

function App() {
  const [path, setPath] = useState(location.pathname)
  useEffect(() => {
    const onPop = () => setPath(location.pathname)
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])
  const navigate = (to) => {
    history.pushState(null, '', to)
    setPath(to)
  }
  return (
    <>
      <nav>
        {Object.entries(pages).map(([to, label]) => <Link key={to} to={to} navigate={navigate}>{label}</Link>)}
      </nav>
      <h1>{pages[path] ?? 'Not found'}</h1>
    </>
  )
}

createRoot(document.getElementById('root')).render(<StrictMode><App /></StrictMode>)
