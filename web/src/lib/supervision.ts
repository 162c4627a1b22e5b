// Electronic supervision helpers shared by the supervisor's and the
// office's pages.
import { call, type Schemas } from '../api/client'
import type { Light } from './approval'

/** The page of a subject ("case:12", "section:3"): its trajectory. */
export function trajectoryPath(subject: string | undefined): string {
  const [kind, id] = (subject ?? '').split(':')
  return `/monitor/${kind}/${id}`
}

/** Counts of each light among subjects. */
export function countLights(subjects: Pick<Schemas['Subject'], 'light'>[]): Record<Light, number> {
  const out: Record<Light, number> = { green: 0, yellow: 0, red: 0 }
  for (const s of subjects) if (s.light === 'green' || s.light === 'yellow' || s.light === 'red') out[s.light]++
  return out
}

let rules: Promise<Schemas['SupervisionRules']> | null = null

/** The rules in force, fetched once per page load. */
export function supervisionRules(): Promise<Schemas['SupervisionRules']> {
  const p = (rules ??= call('get', '/api/v1/supervision/rules'))
  p.catch(() => (rules = null))
  return p
}

/** A rule's title in the current language. */
export function ruleTitle(all: Schemas['Rule'][] | undefined, id: string | undefined, en: boolean): string {
  const r = all?.find((x) => x.id === id)
  if (!r) return id ?? ''
  return (en ? r.titleEn : r.titleZh) ?? id ?? ''
}
