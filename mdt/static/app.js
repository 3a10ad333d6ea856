// Starts the NHS.UK frontend components (header menu, error summary focus, ...).
import { initAll } from './nhsuk/nhsuk-frontend.min.js'

initAll()

// Live clash preview: while a coordinator edits protected time, the "Check clashes" result
// refreshes by itself. Without JavaScript the button does the same with a page load.
for (const form of document.querySelectorAll('form[data-clash-preview]')) {
  const target = document.getElementById('clash-preview')
  let timer = null
  let latest = 0
  form.addEventListener('change', () => {
    clearTimeout(timer)
    timer = setTimeout(async () => {
      const request = ++latest
      const data = new FormData(form)
      data.set('action', 'preview')
      target.setAttribute('aria-busy', 'true')
      try {
        // form.action would be the radio buttons named "action": read the attribute.
        const response = await fetch(form.getAttribute('action') || window.location.href, {
          method: 'POST', body: data, credentials: 'same-origin'
        })
        const page = new DOMParser().parseFromString(await response.text(), 'text/html')
        const fresh = page.getElementById('clash-preview')
        if (request === latest && fresh) target.innerHTML = fresh.innerHTML
      } finally {
        if (request === latest) target.removeAttribute('aria-busy')
      }
    }, 400)
  })
}
