// Shows the plan chosen on the pricing page and passes it on with the form.
(function () {
  var planId = window.demoPlanFromUrl()
  document.getElementById('plan-name').textContent = window.demoPlans[planId].name
  document.getElementById('plan-input').value = planId
})()
