// zh-CN is the platform's language; English can be switched on and is
// remembered. The API is asked for messages in the same language.
import { createI18n } from 'vue-i18n'
import zh from './zh-CN'
import en from './en'

const key = 'tenderhall.locale'
const initial = localStorage.getItem(key) === 'en' ? 'en' : 'zh-CN'

export const i18n = createI18n({
  legacy: false,
  locale: initial,
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
})

export function currentLocale(): string {
  return i18n.global.locale.value
}

export function setLocale(l: 'zh-CN' | 'en'): void {
  i18n.global.locale.value = l
  localStorage.setItem(key, l)
  document.documentElement.lang = l
}
