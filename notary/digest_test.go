package notary

import (
	"testing"

	"github.com/emmansun/gmsm/sm3"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestChunkTreeDigestMatchesItsDefinition(t *testing.T) {
	chunks := [][]byte{[]byte("first chunk"), {}, []byte("third")}
	h := sm3.New()
	h.Write([]byte("\x01TenderHall chunk tree v1"))
	for _, c := range chunks {
		leaf := sm3.Sum(append([]byte{0}, c...))
		h.Write(leaf[:])
	}
	var want Digest
	h.Sum(want[:0])
	if got := ChunkTreeDigest(chunks); got != want {
		t.Fatalf("digest %v, want %v", got, want)
	}
	if ChunkTreeDigest(chunks[:2]) == want || ChunkTreeDigest([][]byte{chunks[1], chunks[0], chunks[2]}) == want {
		t.Fatal("the digest ignores order or length")
	}
}

func TestParseDigest(t *testing.T) {
	d := ChunkTreeDigest(nil)
	if back, err := ParseDigest(d.String()); err != nil || back != d {
		t.Fatalf("round trip: %v", err)
	}
	for _, s := range []string{"", "zz", d.String()[:62], d.String() + "00"} {
		if _, err := ParseDigest(s); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ParseDigest(%q) = %v", s, err)
		}
	}
}
