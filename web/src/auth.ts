// Signing in and out. Staff sign in with password and authenticator code;
// bidders may instead sign a one-time challenge with their organisation's
// SM2 key, opened in the browser (the key file and its password never leave
// the page, only the signature does).
import { call } from './api/client'
import { session } from './session'
import { notary } from './wasm/notary'

export async function loadSession(): Promise<void> {
  try {
    const me = await call('get', '/api/v1/auth/me')
    session.me = me
  } catch {
    session.me = null
  } finally {
    session.loaded = true
  }
}

/**
 * Asks the server whether the session still holds, after something that
 * may have ended it (a sandbox clock jump past the idle limit): a 401
 * marks it expired (client.ts), and the layout offers to sign in again.
 */
export async function recheckSession(): Promise<void> {
  try {
    session.me = await call('get', '/api/v1/auth/me')
  } catch {
    /* a 401 has marked the session expired; anything else changes nothing */
  }
}

export async function loginWithPassword(username: string, password: string, totp: string): Promise<void> {
  const res = await call('post', '/api/v1/auth/login', { body: { username, password, totp: totp || undefined } })
  session.set(res.user!, res.csrfToken ?? '')
}

/** The message a bidder signs to sign in (accounts.KeyLoginMessage). */
export function keyLoginMessage(username: string, nonce: string): Uint8Array {
  return new TextEncoder().encode(`TenderHall login v1\nuser:${username.trim().toLowerCase()}\nnonce:${nonce}`)
}

export async function loginWithKey(username: string, keyHandle: number): Promise<void> {
  const ch = await call('post', '/api/v1/auth/key-challenge', { body: { username } })
  const sig = await notary.sign(keyHandle, keyLoginMessage(username, ch.nonce ?? ''))
  const res = await call('post', '/api/v1/auth/key-login', { body: { challengeId: ch.challengeId ?? '', signature: toBase64(sig) } })
  session.set(res.user!, res.csrfToken ?? '')
}

export async function logout(): Promise<void> {
  try {
    await call('post', '/api/v1/auth/logout')
  } finally {
    session.clear()
  }
}

export function toBase64(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000))
  return btoa(s)
}

export function fromBase64(s: string): Uint8Array {
  const bin = atob(s)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}
