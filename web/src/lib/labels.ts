// Tag colours of section states and opening phases; the words are in i18n.
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
