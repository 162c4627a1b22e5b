// The signed-in user. The session itself is an HttpOnly cookie; the CSRF
// token the server returns at sign-in is kept in localStorage so that a
// reloaded page (or a second tab) can still send changes.
import { reactive } from 'vue'
import type { components } from './api/schema'

type Me = components['schemas']['MeResponse']
const csrfKey = 'tenderhall.csrf'

interface Session {
  me: Me | null
  csrf: string
  loaded: boolean
  /** Set when a request found the session gone; the layout offers to sign in again. */
  expiredMessage: string
  set(me: Me, csrf: string): void
  clear(): void
  expired(err: Error): void
  has(role: string): boolean
}

export const session = reactive<Session>({
  me: null,
  csrf: localStorage.getItem(csrfKey) ?? '',
  loaded: false,
  expiredMessage: '',
  set(me, csrf) {
    this.me = me
    this.csrf = csrf
    this.expiredMessage = ''
    localStorage.setItem(csrfKey, csrf)
  },
  clear() {
    this.me = null
    this.csrf = ''
    localStorage.removeItem(csrfKey)
  },
  expired(err) {
    if (this.me) this.expiredMessage = err.message
    this.me = null
  },
  has(role) {
    return this.me?.roles?.includes(role) ?? false
  },
})
