// Thank-you page: the purchase conversion. Reloading sends it again with the same order
// id, and the collector stores a conversion at most once per order id.
(function () {
  var params = new URLSearchParams(location.search)
  var planId = window.demoPlanFromUrl()
  var plan = window.demoPlans[planId]
  var order = params.get('order')
  document.getElementById('plan-name').textContent = plan.name
  document.getElementById('order-id').textContent = order || '—'
  document.getElementById('order-total').textContent = '€' + plan.price
  if (!order) return
  window.funnelbeam('convert', 'purchase', {
    value: plan.price,
    currency: plan.currency,
    orderId: order,
    props: { plan: planId },
  })
})()
