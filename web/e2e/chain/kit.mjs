// The chain scenario's shared context: the server, the browser, where files
// and screenshots go, and one person's page signed in with a --demo login
// (passwords are those `serve --demo` printed).
import { newPage, signIn, shot } from '../browser.mjs'

export function makeKit({ srv, base, browser, work, shots }) {
  return {
    srv, base, browser, work,
    password: (user) => srv.logins[user],
    /** Display name without the role suffix: demo-expert1 → 刘洋 (the expert pool's name). */
    personName: (user) => srv.names[user].replace(/（.*）$/, ''),
    shot: (page, name) => shot(page, shots, name),
    /** A new context signed in as user, at path. */
    async as(user, path = '/') {
      const page = await newPage(browser)
      await signIn(page, base, user, srv.logins[user], path)
      return page
    },
    /** Signs page in again (a clock jump ended its session) and goes to path. */
    async again(page, user, path) {
      await signIn(page, base, user, srv.logins[user], path)
    },
  }
}
