// One user action on a page: the busy flag for its button, the error the
// page shows, and what follows it (reload the page's data, tell the parent)
// — after a success only, or, where a refusal may mean the page is stale
// (a phase moved on), whatever happened.
import { ref } from 'vue'

export function useAct(after: () => unknown, opts: { always?: boolean } = {}) {
  const busy = ref(false)
  const error = ref<unknown>(null)
  async function act(fn: () => Promise<unknown>): Promise<void> {
    busy.value = true
    error.value = null
    try {
      await fn()
      if (!opts.always) await after()
    } catch (e) {
      error.value = e
    } finally {
      busy.value = false
    }
    if (opts.always) await after()
  }
  return { busy, error, act }
}
