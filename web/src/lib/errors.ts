// One place that turns any failure into a sentence for the person at the
// screen, in the UI language. API errors carry the server's message already
// (it picks the language from Accept-Language); a few codes get a hint on
// what to do next.
import { ApiError } from '../api/client'
import { NotaryError } from '../wasm/notary'
import { i18n } from '../i18n'
import { formatTime } from './format'

const hints: Record<string, string> = {
  network: 'errors.network',
  deadline_passed: 'errors.deadlinePassed',
  bid_too_large: 'errors.bidTooLarge',
  wrong_password: 'errors.wrongPassword',
  password_required: 'errors.wrongPassword',
  wrong_signer: 'errors.wrongSigner',
  no_registered_key: 'errors.noRegisteredKey',
  wrong_phase: 'errors.stale',
  csrf: 'errors.signInAgain',
  unauthenticated: 'errors.signInAgain',
}

/** The message, with the server's request id for support when there is one. */
export function errorText(e: unknown): string {
  const t = i18n.global.t
  if (e instanceof ApiError) {
    let msg = e.message
    if (e.code === 'account_locked' && e.until) msg = t('errors.lockedUntil', { until: formatTime(e.until) })
    const hint = hints[e.code]
    if (hint && e.code !== 'network') msg += ' — ' + t(hint)
    if (e.code === 'network') msg = t(hint!)
    if (e.status >= 500 && e.requestId) msg += ` (${t('errors.requestId')} ${e.requestId})`
    return msg
  }
  if (e instanceof NotaryError) {
    const hint = hints[e.code]
    return hint ? t(hint) : e.message
  }
  if (e instanceof Error) return e.message
  return String(e)
}

/** Whether the page's data is out of date (the section moved on): reload it. */
export function isStale(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 409 || e.status === 410)
}
