// Opening a PDF the API serves (a notice, the report) in a new tab: fetched
// with the session's credentials, then shown from a blob URL, since a
// plain link would carry no CSRF header or bearer token.
import { fetchRaw, type CallOptions } from '../api/client'

/** Fetches the PDF at path and opens it in a new tab. */
export async function openPdf(path: string, opts: CallOptions = {}): Promise<void> {
  const res = await fetchRaw('get', path, opts)
  window.open(URL.createObjectURL(new Blob([await res.arrayBuffer()], { type: 'application/pdf' })), '_blank')
}
