package notary

import (
	"bytes"
	"slices"
	"testing"
)

// layout locates the parts of a test envelope of three chunks (256, 256
// and 188 bytes of plaintext) so that the cases below can aim at them.
type layout struct {
	env            []byte
	hdr            int   // header length
	rec            []int // offset of each chunk record
	trailer        int
	sigLen         int
	spki, recipEnd int // signer key offset, end of the recipients
}

const tamperChunk = 256

func tamperEnvelope(t *testing.T) layout {
	t.Helper()
	pt := make([]byte, 2*tamperChunk+188)
	newPattern(int64(len(pt))).Read(pt)
	env := sealBytes(t, pt, testSealOptions(tamperChunk))
	l := layout{env: env, hdr: int(bytesHeaderLen(env)), spki: 60}
	full := recordSize + tamperChunk + TagSize
	l.rec = []int{l.hdr, l.hdr + full, l.hdr + 2*full}
	l.trailer = l.rec[2] + recordSize + 188 + TagSize
	l.sigLen = int(env[l.trailer+DigestSize])
	if l.trailer+trailerHead+l.sigLen != len(env) {
		t.Fatalf("layout: trailer at %d, sig %d, size %d", l.trailer, l.sigLen, len(env))
	}
	return l
}

func (l layout) recipient(i int) (id, wrapped int) {
	off := l.spki + (int(l.env[l.spki-2])<<8 | int(l.env[l.spki-1]))
	off++ // recipient count
	for ; i > 0; i-- {
		off += DigestSize + 2 + (int(l.env[off+DigestSize])<<8 | int(l.env[off+DigestSize+1]))
	}
	return off, off + DigestSize + 2
}

func (l layout) find(s string) int { return bytes.Index(l.env[:l.hdr], []byte(s)) }

func flipAt(at int) func(l layout) []byte {
	return func(l layout) []byte {
		e := slices.Clone(l.env)
		e[at] ^= 0x5a
		return e
	}
}

func setAt(at int, v byte) func(l layout) []byte {
	return func(l layout) []byte {
		e := slices.Clone(l.env)
		e[at] = v
		return e
	}
}

func TestTamperedEnvelopesAreRefused(t *testing.T) {
	l := tamperEnvelope(t)
	bidderID, bidderWrapped := l.recipient(0)
	_, escrowWrapped := l.recipient(1)
	rec := func(i int) []byte {
		end := l.trailer
		if i < 2 {
			end = l.rec[i+1]
		}
		return l.env[l.rec[i]:end]
	}
	join := func(parts ...[]byte) []byte { return slices.Concat(parts...) }
	env, hdr := l.env, l.env[:l.hdr]
	trailer := env[l.trailer:]
	cases := []struct {
		name           string
		make           func(l layout) []byte
		verify, unseal string
	}{
		{"magic", flipAt(0), CodeNotAnEnvelope, CodeNotAnEnvelope},
		{"version", setAt(6, 2), CodeUnsupportedVersion, CodeUnsupportedVersion},
		{"cipher id", setAt(7, 9), CodeUnsupportedAlgorithm, CodeUnsupportedAlgorithm},
		{"signature id", setAt(10, 0), CodeUnsupportedAlgorithm, CodeUnsupportedAlgorithm},
		{"header length too large", flipAt(12), CodeHeaderTampered, CodeHeaderTampered},
		{"header length off by one", setAt(14, env[14]+1), CodeHeaderTampered, CodeHeaderTampered},
		{"chunk size", setAt(18, 1), CodeChunkTampered, CodeChunkTampered},
		{"nonce prefix", flipAt(20), CodeSignatureInvalid, CodeHeaderTampered},
		{"key commitment", flipAt(40), CodeSignatureInvalid, CodeHeaderTampered},
		{"signer key", flipAt(l.spki + 70), CodeHeaderTampered, CodeHeaderTampered},
		{"recipient count", setAt(l.spki+91, 3), CodeHeaderTampered, CodeHeaderTampered},
		{"own recipient key id", flipAt(bidderID + 3), CodeSignatureInvalid, CodeHeaderTampered},
		{"own wrapped key", flipAt(bidderWrapped + 60), CodeSignatureInvalid, CodeHeaderTampered},
		{"other recipient's wrapped key", flipAt(escrowWrapped + 60), CodeSignatureInvalid, CodeHeaderTampered},
		{"project id", flipAt(l.find("ZB-2025") + 3), CodeSignatureInvalid, CodeHeaderTampered},
		{"section id (invalid UTF-8)", flipAt(l.find("标段1")), CodeHeaderTampered, CodeHeaderTampered},
		{"sealing time", flipAt(l.find("bidform/1") - 2 - 32 - 3), CodeSignatureInvalid, CodeHeaderTampered},
		{"fingerprint", flipAt(l.find("bidform/1") - 2 - 5), CodeSignatureInvalid, CodeHeaderTampered},
		{"schema version", flipAt(l.find("bidform/1")), CodeSignatureInvalid, CodeHeaderTampered},
		{"record flag invalid", setAt(l.rec[0], 7), CodeChunkTampered, CodeChunkTampered},
		{"record length", flipAt(l.rec[1] + 3), CodeChunkTampered, CodeChunkTampered},
		{"final length too short", setAt(l.rec[2]+4, 3), CodeChunkTampered, CodeChunkTampered},
		{"first chunk ciphertext", flipAt(l.rec[0] + recordSize), CodeDigestMismatch, CodeChunkTampered},
		{"middle chunk ciphertext", flipAt(l.rec[1] + 100), CodeDigestMismatch, CodeChunkTampered},
		{"final chunk tag", flipAt(l.trailer - 1), CodeDigestMismatch, CodeChunkTampered},
		{"trailer digest", flipAt(l.trailer + 5), CodeDigestMismatch, CodeDigestMismatch},
		{"signature", flipAt(len(env) - 10), CodeSignatureInvalid, CodeSignatureInvalid},
		{"signature length zero", setAt(l.trailer+DigestSize, 0), CodeSignatureInvalid, CodeSignatureInvalid},
		{"signature length short", setAt(l.trailer+DigestSize, byte(l.sigLen-1)), CodeTrailingData, CodeTrailingData},
		{"signature length long", setAt(l.trailer+DigestSize, byte(l.sigLen+1)), CodeTruncated, CodeTruncated},
		{"empty input", func(layout) []byte { return nil }, CodeNotAnEnvelope, CodeNotAnEnvelope},
		{"not an envelope", func(layout) []byte { return []byte("%PDF-1.7 投标文件") }, CodeNotAnEnvelope, CodeNotAnEnvelope},
		{"truncated in the magic", func(layout) []byte { return env[:3] }, CodeTruncated, CodeTruncated},
		{"truncated in the header", func(layout) []byte { return env[:l.hdr-1] }, CodeTruncated, CodeTruncated},
		{"truncated after the header", func(layout) []byte { return hdr }, CodeTruncated, CodeTruncated},
		{"truncated at a chunk boundary", func(layout) []byte { return env[:l.rec[2]] }, CodeTruncated, CodeTruncated},
		{"truncated inside a chunk", func(layout) []byte { return env[:l.rec[1]+50] }, CodeTruncated, CodeTruncated},
		{"trailer missing", func(layout) []byte { return env[:l.trailer] }, CodeTruncated, CodeTruncated},
		{"last byte missing", func(layout) []byte { return env[:len(env)-1] }, CodeTruncated, CodeTruncated},
		{"chunk appended after the trailer", func(layout) []byte { return join(env, rec(1)) }, CodeTrailingData, CodeTrailingData},
		{"one byte appended", func(layout) []byte { return join(env, []byte{0}) }, CodeTrailingData, CodeTrailingData},
		{"chunk duplicated", func(layout) []byte { return join(hdr, rec(0), rec(0), rec(1), rec(2), trailer) }, CodeDigestMismatch, CodeChunkTampered},
		{"chunks reordered", func(layout) []byte { return join(hdr, rec(1), rec(0), rec(2), trailer) }, CodeDigestMismatch, CodeChunkTampered},
		{"middle chunk removed", func(layout) []byte { return join(hdr, rec(0), rec(2), trailer) }, CodeDigestMismatch, CodeChunkTampered},
		{"final chunk removed, previous marked final", func(layout) []byte {
			r := slices.Clone(rec(1))
			r[0] = flagFinal
			return join(hdr, rec(0), r, trailer)
		}, CodeDigestMismatch, CodeChunkTampered},
	}
	k := envelopeKeys()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := c.make(l)
			if got := codeOf(t, verifyBytes(e, Expect{})); got != c.verify {
				t.Errorf("verify: code %q, want %q", got, c.verify)
			}
			_, err := unsealBytes(e, k.bidder, Expect{})
			if got := codeOf(t, err); got != c.unseal {
				t.Errorf("unseal: code %q (%v), want %q", got, err, c.unseal)
			}
		})
	}
}
