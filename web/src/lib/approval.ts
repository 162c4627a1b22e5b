// Helpers of the approval pages: the light of a case's remaining working
// days (the supervision rule's thresholds as the window sees them), the
// item names the case lists show, and material uploads with progress.
import { call, type Schemas } from '../api/client'
import { uploadWithProgress } from './xhrUpload'

export type Light = 'green' | 'yellow' | 'red'

/** The light of an open case: red when overdue, yellow with at most 20% or one working day left. */
export function caseLight(c: Pick<Schemas['Case'], 'remainingWorkdays' | 'promisedDays' | 'state'>): Light | null {
  if (c.remainingWorkdays === undefined || c.remainingWorkdays === null) return null
  if (['finished', 'refused', 'withdrawn', 'decided'].includes(c.state ?? '')) return null
  const left = c.remainingWorkdays
  if (left < 0) return 'red'
  if (left <= 1 || left <= (c.promisedDays ?? 0) * 0.2) return 'yellow'
  return 'green'
}

/** The element-plus tag type of a light. */
export function lightTag(l: string | null | undefined): 'success' | 'warning' | 'danger' | 'info' {
  return l === 'green' ? 'success' : l === 'yellow' ? 'warning' : l === 'red' ? 'danger' : 'info'
}

let guides: Promise<Map<string, Schemas['ItemGuide']>> | null = null

/** The published items by code, fetched once per page load. */
export function itemGuides(): Promise<Map<string, Schemas['ItemGuide']>> {
  const p = (guides ??= call('get', '/api/v1/public/approval/items').then((all) => new Map(all.map((g) => [g.code ?? '', g]))))
  p.catch(() => (guides = null))
  return p
}

/** Streams one material's file to the case (PUT), reporting progress. */
export function uploadMaterial(caseId: number, key: string, file: File, onProgress: (pct: number) => void): Promise<Schemas['CaseMaterial']> {
  const url = `/api/v1/approval/cases/${caseId}/materials/${encodeURIComponent(key)}?name=${encodeURIComponent(file.name)}`
  return uploadWithProgress(url, file, (sent, total) => onProgress(total ? Math.round((sent * 100) / total) : 0), 'PUT')
}

/** The words of the rating levels 1..5 from the comma-separated message. */
export function ratingWords(list: string): string[] {
  return list.split(',')
}
