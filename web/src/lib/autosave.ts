// Saves a form a moment after the last change, so an expert's work survives
// a closed tab or a dropped connection; the page shows when it last saved.
import { ref } from 'vue'
import { serverNow } from '../clock'

export function useAutosave(save: () => Promise<void>, delayMs = 1200) {
  const state = ref<'idle' | 'pending' | 'saving' | 'saved' | 'error'>('idle')
  const savedAt = ref<number | null>(null)
  const error = ref<unknown>(null)
  let timer: ReturnType<typeof setTimeout> | undefined
  let running: Promise<void> = Promise.resolve()

  async function flush() {
    clearTimeout(timer)
    await running
    state.value = 'saving'
    running = save().then(
      () => {
        state.value = 'saved'
        savedAt.value = serverNow()
        error.value = null
      },
      (e) => {
        state.value = 'error'
        error.value = e
      },
    )
    await running
  }

  function changed() {
    state.value = 'pending'
    clearTimeout(timer)
    timer = setTimeout(() => void flush(), delayMs)
  }

  return { state, savedAt, error, changed, flush }
}
