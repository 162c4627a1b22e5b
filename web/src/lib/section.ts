import { call, type Schemas } from '../api/client'

/**
 * The public announcement of a section: by its id when the link carries it
 * (?a=), else found in the listing (sections have no public page of their own).
 */
export async function announcementOfSection(sectionId: number, announcementId?: string): Promise<Schemas['PublicDetail']> {
  let id = announcementId
  if (!id) {
    const page = await call('get', '/api/v1/public/announcements', { query: { limit: 100 } })
    id = String(page.items?.find((a) => a.sectionId === sectionId)?.id ?? '')
  }
  if (!id) throw new Error(`section ${sectionId}: no published announcement`)
  return call('get', '/api/v1/public/announcements/{id}', { path: { id } })
}

/** The largest envelope a file of n bytes seals to: header, 21 bytes a 1 MiB chunk, trailer. */
export function envelopeBound(n: number): number {
  return n + Math.ceil(Math.max(n, 1) / (1 << 20)) * 21 + 8192
}
