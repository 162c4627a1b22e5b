// Display helpers. Times are shown as the rules count them, in
// Asia/Shanghai whatever the PC's zone; money is integer fen.

const dtf = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
})

/** "2026-12-02 09:30:00" in Beijing time, or "—". */
export function formatTime(t: string | number | Date | undefined | null): string {
  if (t === undefined || t === null || t === '') return '—'
  const d = t instanceof Date ? t : new Date(t)
  if (Number.isNaN(d.getTime())) return '—'
  const p: Record<string, string> = {}
  for (const part of dtf.formatToParts(d)) p[part.type] = part.value
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

/** "2026-12-02" in Beijing time. */
export function formatDate(t: string | number | Date | undefined | null): string {
  return formatTime(t).slice(0, 10)
}

/** Integer fen as yuan with two decimals and thousands separators. */
export function formatFen(fen: number | undefined | null): string {
  if (fen === undefined || fen === null) return '—'
  const neg = fen < 0
  const abs = Math.abs(Math.round(fen))
  const yuan = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${neg ? '-' : ''}¥${yuan}.${String(abs % 100).padStart(2, '0')}`
}

/** Yuan typed by a person ("1,234.5") to integer fen; NaN when not a number. */
export function yuanToFen(text: string): number {
  const clean = text.replace(/[,\s¥]/g, '')
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return NaN
  const [int, frac = ''] = clean.split('.')
  return Number(int) * 100 + Number(frac.padEnd(2, '0'))
}

/** Bytes in binary units: "20.0 MiB". */
export function formatBytes(n: number | undefined | null): string {
  if (n === undefined || n === null) return '—'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`
}

/** A countdown "2天 03:04:05" (or "3d 03:04:05") to a moment; "00:00:00" once passed. */
export function formatCountdown(ms: number, dayWord: string): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const d = Math.floor(s / 86400)
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60].map((x) => String(x).padStart(2, '0')).join(':')
  return d > 0 ? `${d}${dayWord} ${hms}` : hms
}

/** The first and last characters of a long hex digest. */
export function shortDigest(h: string | undefined): string {
  if (!h) return '—'
  return h.length > 20 ? `${h.slice(0, 10)}…${h.slice(-8)}` : h
}
