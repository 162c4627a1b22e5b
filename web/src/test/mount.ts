// Mounting a component as the app does: Element Plus and the messages.
import { mount, type ComponentMountingOptions } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { Component } from 'vue'
import { i18n } from '../i18n'

export function mountApp<C extends Component>(c: C, opts: ComponentMountingOptions<C> = {}) {
  return mount(c, { ...opts, global: { plugins: [ElementPlus, i18n], ...(opts.global ?? {}) } } as ComponentMountingOptions<C>)
}

/** The <input> of an Element Plus field marked data-test=name (the mark lands on the input or on its wrapper). */
export function inputOf(w: { find(sel: string): { exists(): boolean; element: Element } }, name: string): HTMLInputElement {
  const direct = w.find(`input[data-test=${name}]`)
  return (direct.exists() ? direct.element : w.find(`[data-test=${name}] input`).element) as HTMLInputElement
}
