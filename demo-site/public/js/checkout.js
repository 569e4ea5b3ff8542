// Checkout: shows the chosen plan, runs the checkout_button experiment (control/green)
// and sends the visitor to the thank-you page with a fresh order id.
(function () {
  var planId = window.demoPlanFromUrl()
  var plan = window.demoPlans[planId]
  document.getElementById('plan-name').textContent = plan.name
  document.getElementById('plan-price').textContent = '€' + plan.price + ' / month'

  var button = document.getElementById('pay')

  // experiment() returns the variant, so it needs the loaded SDK, not the queue stub.
  function runExperiment() {
    var fb = window.funnelbeam
    if (!fb || typeof fb.experiment !== 'function') return
    try {
      var variant = fb.experiment('checkout_button', ['control', 'green'])
      if (variant === 'green') button.classList.add('btn-green')
      button.setAttribute('data-variant', variant)
    } catch (e) { /* tracking never breaks checkout */ }
  }
  var sdk = document.querySelector('script[data-site]')
  if (window.funnelbeam && typeof window.funnelbeam.experiment === 'function') runExperiment()
  else if (sdk) sdk.addEventListener('load', runExperiment)

  document.getElementById('checkout-form').addEventListener('submit', function (ev) {
    ev.preventDefault()
    var order = 'BD-' + Date.now().toString(36).toUpperCase() + '-' + Math.floor(Math.random() * 1e4)
    location.href = '/thanks?plan=' + encodeURIComponent(planId) + '&order=' + encodeURIComponent(order)
  })
})()
