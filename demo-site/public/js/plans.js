// Plan catalogue shared by checkout and thank-you pages; prices live here, not in the
// URL, so a visitor cannot make a purchase worth any amount by editing a link.
window.demoPlans = {
  starter: { name: 'Starter', price: 19, currency: 'EUR' },
  pro: { name: 'Pro', price: 49, currency: 'EUR' },
  team: { name: 'Team', price: 99, currency: 'EUR' },
}
window.demoPlanFromUrl = function () {
  var plan = new URLSearchParams(location.search).get('plan')
  return window.demoPlans[plan] ? plan : 'pro'
}
