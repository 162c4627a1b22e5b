// The expert draw request's defaults. In a sandbox the groups reach the
// seven demo experts who have accounts (cmd/tenderhall/demo_experts.go,
// DemoCommitteeSpecialty: six technical, one economic), so that a drawn
// committee of five can evaluate in the browser; elsewhere the specialty is
// left for the agent to type.

export interface DrawGroup {
  specialty: string
  category: 'technical' | 'economic'
  count: number
  reserve: number
}

/** The demo committee's specialty code (评标专家专业分类). */
export const demoSpecialty = 'A040399'

/** A committee of five: four technical experts with one reserve, one economic expert without. */
export function defaultGroups(sandbox: boolean): DrawGroup[] {
  const specialty = sandbox ? demoSpecialty : ''
  return [
    { specialty, category: 'technical', count: 4, reserve: 1 },
    { specialty, category: 'economic', count: 1, reserve: sandbox ? 0 : 1 }, // one economic demo expert only
  ]
}

/** The evaluation place the sandbox prefills: the demo evaluation room's. */
export const demoPlace = '省公共资源交易中心 5 楼 第一评标室（演示）'

// categoryKey is the i18n key of an expert category (技术/经济), or of
// "unknown" when a row has none (a seat whose group the API left out):
// never 'draw.undefined'.
export function categoryKey(category: string | undefined | null): string {
  return category === 'technical' || category === 'economic' ? 'draw.' + category : 'draw.noCategory'
}
