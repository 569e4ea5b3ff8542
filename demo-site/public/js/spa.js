// A tiny single-page section: links with data-route change the view with pushState.
// The SDK turns each route change into a pageview without any code here.
(function () {
  var views = document.querySelectorAll('[data-view]')
  var titles = { '/app': 'Tour', '/app/inbox': 'Shared inbox', '/app/reports': 'Reports', '/app/automations': 'Automations' }

  function render(path) {
    if (!titles[path]) path = '/app'
    for (var i = 0; i < views.length; i++) views[i].hidden = views[i].getAttribute('data-view') !== path
    var links = document.querySelectorAll('[data-route]')
    for (var j = 0; j < links.length; j++) {
      var active = links[j].getAttribute('href') === path
      links[j].classList.toggle('active', active)
      if (active) links[j].setAttribute('aria-current', 'page')
      else links[j].removeAttribute('aria-current')
    }
    document.title = titles[path] + ' · Brightdesk'
  }

  document.addEventListener('click', function (ev) {
    var link = ev.target.closest('a[data-route]')
    if (!link || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.button !== 0) return
    ev.preventDefault()
    var path = link.getAttribute('href')
    if (path === location.pathname) return
    // Render first so the pageview the SDK records on pushState carries the new title.
    render(path)
    history.pushState({}, '', path)
  })
  window.addEventListener('popstate', function () { render(location.pathname.replace(/\/$/, '')) })
  render(location.pathname.replace(/\/$/, ''))
})()
