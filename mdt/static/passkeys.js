// Passkeys (WebAuthn): adding one on the "Second factor" page, and using one at the second
// step of signing in. The server makes the options and checks the answers (mdt/mfa/passkeys.py);
// this only carries them between it and navigator.credentials, as JSON with the CSRF token,
// binary values as base64url. Without this script (or without WebAuthn in the browser) the
// passkey button stays hidden and the authenticator app's code works as before.

const supported = typeof window.PublicKeyCredential === 'function' && navigator.credentials

function toBytes (base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/')
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4)
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0))
}

function toBase64url (buffer) {
  const text = String.fromCharCode(...new Uint8Array(buffer))
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

async function postJson (url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body)
  })
  if (response.redirected && !response.headers.get('Content-Type')?.includes('json')) {
    window.location.assign(response.url) // the sign-in took too long: back to the start
    return null
  }
  const answer = await response.json()
  if (!response.ok) throw new Error(answer.problem || 'Something went wrong. Try again.')
  return answer
}

function creationOptions (options) {
  return {
    ...options,
    challenge: toBytes(options.challenge),
    user: { ...options.user, id: toBytes(options.user.id) },
    excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) }))
  }
}

function requestOptions (options) {
  return {
    ...options,
    challenge: toBytes(options.challenge),
    allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) }))
  }
}

// The fields every PublicKeyCredential posts, whichever ceremony it answers.
function credentialJson (credential, response) {
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: toBase64url(credential.response.clientDataJSON), ...response }
  }
}

function attestationJson (credential) {
  const response = credential.response
  return credentialJson(credential, {
    attestationObject: toBase64url(response.attestationObject),
    transports: response.getTransports ? response.getTransports() : []
  })
}

function assertionJson (credential) {
  const response = credential.response
  return credentialJson(credential, {
    authenticatorData: toBase64url(response.authenticatorData),
    signature: toBase64url(response.signature),
    userHandle: response.userHandle ? toBase64url(response.userHandle) : undefined
  })
}

function showProblem (container, error) {
  const problem = container.querySelector('.app-passkey-problem')
  // A cancelled or timed-out browser prompt is a NotAllowedError: say so plainly.
  problem.textContent = error.name === 'NotAllowedError'
    ? 'The passkey was not used (cancelled, or it took too long). Try again.'
    : error.message
  problem.hidden = false
}

async function register (form) {
  // The form's own fields (CSRF token, name), whatever the page names them.
  const fields = Object.fromEntries(new FormData(form))
  if (!form.querySelector('input[type=text]').value.trim()) {
    throw new Error('Enter a name for this passkey')
  }
  const options = await postJson(form.dataset.optionsUrl, fields)
  if (!options) return
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options) })
  const done = await postJson(form.getAttribute('action'), {
    ...fields, credential: attestationJson(credential)
  })
  if (done) window.location.assign(done.next)
}

async function signIn (container) {
  const csrfToken = container.dataset.csrfToken
  const options = await postJson(container.dataset.optionsUrl, { csrf_token: csrfToken })
  if (!options) return
  const credential = await navigator.credentials.get({ publicKey: requestOptions(options) })
  const done = await postJson(container.dataset.signInUrl, {
    csrf_token: csrfToken, credential: assertionJson(credential)
  })
  if (done) window.location.assign(done.next)
}

async function confirm (form) {
  // "Confirm it's you": the passkey's answer goes in the form's hidden field, and the form
  // (with the password typed) is posted as usual.
  const csrfToken = form.querySelector('input[name=csrf_token]').value
  const options = await postJson(form.dataset.optionsUrl, { csrf_token: csrfToken })
  if (!options) return
  const credential = await navigator.credentials.get({ publicKey: requestOptions(options) })
  form.querySelector('input[name=passkey]').value = JSON.stringify(assertionJson(credential))
  form.submit()
}

if (!supported) {
  for (const note of document.querySelectorAll('.app-passkey-unsupported')) note.hidden = false
} else {
  for (const form of document.querySelectorAll('form[data-passkey-register]')) {
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      form.querySelector('.app-passkey-problem').hidden = true
      register(form).catch((error) => showProblem(form, error))
    })
  }
  for (const form of document.querySelectorAll('form[data-passkey-confirm]')) {
    const container = form.querySelector('[data-passkey-sign-in]')
    container.hidden = false
    container.querySelector('[data-passkey-button]').addEventListener('click', () => {
      container.querySelector('.app-passkey-problem').hidden = true
      confirm(form).catch((error) => showProblem(container, error))
    })
  }
  for (const container of document.querySelectorAll(':not(form) > [data-passkey-sign-in]')) {
    container.hidden = false
    container.querySelector('[data-passkey-button]').addEventListener('click', () => {
      container.querySelector('.app-passkey-problem').hidden = true
      signIn(container).catch((error) => showProblem(container, error))
    })
  }
}
