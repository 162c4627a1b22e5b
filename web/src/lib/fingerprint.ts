// What the browser can tell about the sealing machine, hashed by the sealer
// into the envelope's fingerprint (notary.FingerprintHash): only the hash
// leaves the page. Two bids sealed in the same browser carry the same hash,
// which the supervision's collusion checks compare.
export interface FingerprintPart {
  Name: string
  Value: string
}

export function browserFingerprint(): FingerprintPart[] {
  const n = navigator
  const parts: FingerprintPart[] = [
    { Name: 'browser-user-agent', Value: n.userAgent },
    { Name: 'browser-language', Value: n.language },
    { Name: 'browser-timezone', Value: Intl.DateTimeFormat().resolvedOptions().timeZone },
    { Name: 'browser-cores', Value: String(n.hardwareConcurrency ?? '') },
  ]
  if (typeof screen !== 'undefined') parts.push({ Name: 'browser-screen', Value: `${screen.width}x${screen.height}x${screen.colorDepth}` })
  return parts
}
