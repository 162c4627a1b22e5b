// The bid package in the browser: what `tenderhall bid pack` makes, a tar
// whose first entry is bidform.json (the bid form the opening publishes)
// followed by the bidder's documents. It is built as a Blob of small
// headers around the chosen Files, so no document is copied into memory:
// the sealer reads the Blob slice by slice like any file.

/** The bid form (投标函): price in fen, duration in days, commitments. */
export interface BidForm {
  priceFen: number
  durationDays: number
  quality?: string
  commitments?: Record<string, string>
}

export const bidFormName = 'bidform.json'
const block = 512

type Bytes = Uint8Array<ArrayBuffer>

/** Checks a form as the server will (bidding.BidForm.Validate); returns the problem or ''. */
export function formProblem(f: BidForm): string {
  if (!Number.isSafeInteger(f.priceFen) || f.priceFen <= 0) return 'priceFen'
  if (!Number.isInteger(f.durationDays) || f.durationDays <= 0 || f.durationDays > 36500) return 'durationDays'
  if ((f.quality ?? '').length > 500) return 'quality'
  return ''
}

/** Yuan as typed ("1234567.89") to fen, or NaN when it is not an amount with at most two decimals. */
export function yuanToFen(yuan: string): number {
  const m = /^\s*(\d{1,13})(?:\.(\d{1,2}))?\s*$/.exec(yuan)
  if (!m) return NaN
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

/** packBid returns the bid package: the form, then each document. */
export function packBid(form: BidForm, docs: File[]): Blob {
  const problem = formProblem(form)
  if (problem) throw new Error(`invalid bid form: ${problem}`)
  const json = new TextEncoder().encode(JSON.stringify(form))
  const parts: BlobPart[] = [...entry(bidFormName, json.length), json, padding(json.length)]
  const names = new Set([bidFormName])
  for (const d of docs) {
    if (names.has(d.name)) throw new Error(`two documents named ${d.name}`)
    names.add(d.name)
    parts.push(...entry(d.name, d.size), d, padding(d.size))
  }
  parts.push(new Uint8Array(2 * block)) // the end of the archive
  return new Blob(parts, { type: 'application/x-tar' })
}

/** The headers of one file: a PAX header first when the name is not plain ASCII or too long. */
function entry(name: string, size: number): Bytes[] {
  const ascii = /^[\x20-\x7e]{1,100}$/.test(name)
  if (ascii) return [header(name, size, '0')]
  const record = paxRecord('path', name)
  return [header('PaxHeaders/' + asciiName(name), record.length, 'x'), record, padding(record.length), header(asciiName(name), size, '0')]
}

/** A PAX record "<len> key=value\n", whose length counts itself. */
function paxRecord(key: string, value: string): Bytes {
  const body = new TextEncoder().encode(` ${key}=${value}\n`)
  let n = body.length + 1
  while (String(n).length + body.length !== n) n = String(n).length + body.length
  return new TextEncoder().encode(String(n) + new TextDecoder().decode(body))
}

/** An ASCII stand-in for a name, for readers that ignore PAX headers. */
function asciiName(name: string): string {
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 ? name.slice(dot).replace(/[^\x20-\x7e]/g, '') : ''
  return ('document' + ext).slice(0, 100)
}

/** A ustar header block. */
function header(name: string, size: number, type: '0' | 'x'): Bytes {
  const h = new Uint8Array(block)
  const put = (off: number, s: string) => h.set(new TextEncoder().encode(s), off)
  put(0, name)
  put(100, '0000644\0')
  put(108, '0000000\0')
  put(116, '0000000\0')
  put(124, size.toString(8).padStart(11, '0') + '\0')
  put(136, '00000000000\0') // mtime 0, as the CLI writes
  put(148, '        ') // the checksum counts itself as spaces
  put(156, type)
  put(257, 'ustar\0')
  put(263, '00')
  let sum = 0
  for (const b of h) sum += b
  put(148, sum.toString(8).padStart(6, '0') + '\0 ')
  return h
}

function padding(size: number): Bytes {
  return new Uint8Array((block - (size % block)) % block)
}
