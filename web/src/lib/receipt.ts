// The platform-signed receipt (回执) as the API sends it (notary/receipt.go:
// the canonical receipt object, the platform key id, the base64 signature).
// `tenderhall verify receipt` checks a saved copy offline.
export interface Receipt {
  receipt: {
    type: string
    bidId: string
    projectId: string
    sectionId: string
    bidderId: string
    ciphertextDigest: string
    ciphertextSize: number
    receivedAtMs: number
    logIndex: number
  }
  keyId: string
  signature: string
}

/** Offers the receipt as a JSON file download, named after the bid. */
export function downloadReceipt(r: Receipt): void {
  downloadBlob(new Blob([JSON.stringify(r) + '\n'], { type: 'application/json' }), `receipt-bid-${r.receipt.bidId}.json`)
}

/** Saves a blob under a file name through a temporary link. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
}
