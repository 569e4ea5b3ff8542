// Consent banner: accept all, analytics only, or reject. The SDK remembers the choice
// itself; the banner keeps its own small flag only after a decision, so nothing is
// stored before the visitor decides.
(function () {
  var KEY = 'demo_consent_decided'
  var banner = document.getElementById('consent')
  if (!banner) return
  var choices = {
    all: { analytics: true, ads: true },
    analytics: { analytics: true, ads: false },
    reject: { analytics: false, ads: false },
  }

  function decided() {
    try { return localStorage.getItem(KEY) } catch (e) { return null }
  }
  function show() { banner.hidden = false }
  function hide() { banner.hidden = true }

  if (!decided()) show()

  banner.addEventListener('click', function (ev) {
    var button = ev.target.closest('[data-consent-choice]')
    if (!button) return
    var choice = button.getAttribute('data-consent-choice')
    window.funnelbeam('consent', choices[choice])
    try { localStorage.setItem(KEY, choice) } catch (e) { /* private mode: ask again next time */ }
    hide()
  })

  var reopen = document.querySelectorAll('[data-open-consent]')
  for (var i = 0; i < reopen.length; i++) reopen[i].addEventListener('click', show)
})()
