// Tag colours of section states, opening phases and approval case states;
// the words are in i18n.
export function stateTag(state: string | undefined): 'success' | 'warning' | 'info' | 'danger' | 'primary' {
  switch (state) {
    case 'announced':
      return 'success'
    case 'closed':
    case 'opening':
    case 'evaluating':
      return 'warning'
    case 'failed':
    case 'cancelled':
      return 'danger'
    case 'opened':
    case 'candidates':
    case 'awarded':
      return 'primary'
    default:
      return 'info'
  }
}

/** The element-plus tag type of a case state. */
export function caseStateTag(state: string): 'success' | 'warning' | 'info' | 'danger' | 'primary' {
  switch (state) {
    case 'finished':
    case 'decided':
      return 'success'
    case 'submitted':
    case 'supplementing':
    case 'suspended':
      return 'warning'
    case 'refused':
      return 'danger'
    case 'accepted':
      return 'primary'
    default:
      return 'info'
  }
}
