// A stand-in for the server in component tests: fetch answers from a table
// of "METHOD /path" → handler, and every request is recorded, so a test
// asserts what the component sent. An unknown route fails the test loudly.
import { vi } from 'vitest'

export interface Sent {
  method: string
  path: string // with the query string
  body: unknown
}

type Handler = (body: unknown, path: string) => unknown | Response

/** JSON error body as the API sends it. */
export function apiError(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: { 'Content-Type': 'application/json' } })
}

export function fakeApi(routes: Record<string, Handler>): Sent[] {
  const sent: Sent[] = []
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = (init.method ?? 'GET').toUpperCase()
    const path = String(url)
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined
    sent.push({ method, path, body })
    const key = `${method} ${path.split('?')[0]}`
    const h = routes[key]
    if (!h) throw new Error(`fakeApi: no route for ${key}`)
    const out = h(body, path)
    return out instanceof Response ? out : new Response(JSON.stringify(out), { status: 200, headers: { 'Content-Type': 'application/json' } })
  })
  return sent
}
