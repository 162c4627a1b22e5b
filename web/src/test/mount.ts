// Mounting a component as the app does: Element Plus and the messages.
import { mount, type ComponentMountingOptions } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { Component } from 'vue'
import { i18n } from '../i18n'

export function mountApp<C extends Component>(c: C, opts: ComponentMountingOptions<C> = {}) {
  return mount(c, { ...opts, global: { plugins: [ElementPlus, i18n], ...(opts.global ?? {}) } } as ComponentMountingOptions<C>)
}
