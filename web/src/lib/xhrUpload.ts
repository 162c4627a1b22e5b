// A raw-body upload with progress events (fetch has none for uploads), for
// tender documents and approval materials. Errors come back as ApiError like every other call.
import { ApiError } from '../api/client'
import { session } from '../session'
import { currentLocale } from '../i18n'

export function uploadWithProgress<T>(url: string, body: Blob, onProgress: (sent: number, total: number) => void, method: 'POST' | 'PUT' = 'POST'): Promise<T> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest()
    x.open(method, url)
    x.setRequestHeader('Content-Type', body.type || 'application/octet-stream')
    x.setRequestHeader('Accept-Language', currentLocale() === 'en' ? 'en' : 'zh-CN')
    if (session.csrf) x.setRequestHeader('X-CSRF-Token', session.csrf)
    x.upload.onprogress = (e) => onProgress(e.loaded, e.total)
    x.onerror = () => reject(new ApiError(0, 'network', currentLocale() === 'en' ? 'Network error' : '网络连接失败'))
    x.onload = () => {
      let data: { error?: { code?: string; message?: string; fields?: Record<string, string> } } = {}
      try {
        data = JSON.parse(x.responseText)
      } catch {
        /* not JSON */
      }
      if (x.status >= 200 && x.status < 300) resolve(data as T)
      else reject(new ApiError(x.status, data.error?.code ?? `http_${x.status}`, data.error?.message ?? `HTTP ${x.status}`, data.error?.fields ?? {}))
    }
    x.send(body)
  })
}
