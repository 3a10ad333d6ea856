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

// Drafts: what is typed into a form marked data-draft is kept in this tab (sessionStorage)
// until the form is saved, so a session that ends while someone writes an outcome costs
// nothing: after signing in they come back to the page and find their words restored.
// The key carries the record's revision: once a save moves it on, the old draft is dropped.
for (const form of document.querySelectorAll('form[data-draft]')) {
  const prefix = `mdt-draft:${form.dataset.draft}:`
  const key = prefix + (form.dataset.draftVersion || '0')
  const fields = [...form.querySelectorAll('textarea, input[type=text], input[type=email], input[type=date]')]
    .filter((field) => field.name && field.name !== 'csrf_token')
  for (let i = sessionStorage.length - 1; i >= 0; i--) {
    const stale = sessionStorage.key(i)
    if (stale && stale.startsWith(prefix) && stale !== key) sessionStorage.removeItem(stale)
  }
  const saved = JSON.parse(sessionStorage.getItem(key) || 'null')
  const hasErrors = form.querySelector('.nhsuk-form-group--error') !== null
  if (saved && !hasErrors) {
    let restored = false
    for (const field of fields) {
      if (saved[field.name] !== undefined && saved[field.name] !== field.value && field.value === field.defaultValue) {
        field.value = saved[field.name]
        restored = true
      }
    }
    if (restored) {
      const note = document.createElement('p')
      note.className = 'nhsuk-inset-text app-draft-restored'
      note.textContent = 'What you typed before has been put back. Check it, then save.'
      form.prepend(note)
    }
  }
  const keep = () => {
    const values = {}
    for (const field of fields) values[field.name] = field.value
    sessionStorage.setItem(key, JSON.stringify(values))
  }
  form.addEventListener('input', keep)
  form.addEventListener('change', keep)
}

// Meeting mode's timer: time spent on the case shown, against its allotted minutes. It
// starts when the case is first opened in this tab and survives saving and reloading.
for (const timer of document.querySelectorAll('[data-timer-key]')) {
  const key = timer.dataset.timerKey
  const allotted = Number(timer.dataset.minutes) * 60
  const started = Number(sessionStorage.getItem(key)) || Date.now()
  sessionStorage.setItem(key, String(started))
  const value = timer.querySelector('.app-timer__value')
  const tick = () => {
    const seconds = Math.floor((Date.now() - started) / 1000)
    value.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
    timer.classList.toggle('app-timer--over', seconds > allotted)
  }
  tick()
  setInterval(tick, 1000)
}

// Meeting mode's attendance: quorum follows the selects as they change (the page shows the
// recorded quorum without script), and the spot a save returned to takes the focus.
for (const form of document.querySelectorAll('form[data-live-quorum]')) {
  const live = document.getElementById('live-quorum')
  const update = () => {
    const covered = new Map()
    for (const select of form.querySelectorAll('select[data-core="yes"]')) {
      const here = select.value === 'present' || select.value === 'remote'
      covered.set(select.dataset.discipline, covered.get(select.dataset.discipline) || here)
    }
    const quorate = [...covered.values()].every(Boolean)
    const tag = live.querySelector('.nhsuk-tag')
    tag.textContent = quorate ? 'Quorate' : 'Not quorate'
    tag.className = `nhsuk-tag ${quorate ? 'nhsuk-tag--green' : 'nhsuk-tag--red'}`
    for (const span of live.querySelectorAll('[data-discipline]')) {
      const yes = covered.get(span.dataset.discipline) || false
      span.dataset.covered = yes ? 'yes' : 'no'
      span.textContent = `${yes ? '✓' : '✗'} ${span.dataset.discipline}`
    }
  }
  form.addEventListener('change', update)
  update()
}
if (location.hash && document.querySelector('[data-live-quorum]')) {
  const target = document.getElementById(location.hash.slice(1))
  if (target && target.tabIndex === -1) target.focus()
}
