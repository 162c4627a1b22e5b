package eventlog

import (
	"encoding/binary"

	"github.com/tenderhall/tenderhall/notary"
)

// LeafFormat is the version byte that starts every leaf input; a new
// serialisation gets a new version, and old leaves keep theirs.
const LeafFormat = 0x01

// LeafInput returns the canonical serialisation of ev that its Merkle leaf
// hashes (documented in LOG.md, "Leaf input"):
//
//	version      1 byte, LeafFormat (0x01)
//	seq          8 bytes, unsigned big-endian
//	occurred_at  8 bytes, signed big-endian, Unix milliseconds (UTC)
//	type, subject, actor, ip, request_id, payload
//	             each: 4-byte unsigned big-endian length, then the UTF-8 bytes
//
// Every field is length-prefixed so that no two different events serialise
// alike; the payload is the stored JSON text, byte for byte.
func LeafInput(ev Event) []byte {
	fields := []string{ev.Type, ev.Subject, ev.Actor, ev.IP, ev.RequestID, ev.Payload}
	n := 1 + 8 + 8
	for _, f := range fields {
		n += 4 + len(f)
	}
	b := make([]byte, 0, n)
	b = append(b, LeafFormat)
	b = binary.BigEndian.AppendUint64(b, uint64(ev.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(ev.OccurredAt.UnixMilli()))
	for _, f := range fields {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

// LeafHash returns ev's RFC 6962 leaf hash, SM3(0x00 ‖ LeafInput(ev)).
func LeafHash(ev Event) notary.Hash { return notary.LeafHash(LeafInput(ev)) }
