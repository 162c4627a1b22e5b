package notary

import (
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestTreeHeadSignedMessageLayout(t *testing.T) {
	h := TreeHead{TreeSize: 0x0102, Timestamp: 0x0A0B, RootHash: LeafHash(nil)}
	msg := h.SignedMessage()
	want := hex.EncodeToString([]byte("tenderhall-sth-v1")) + "00" + "0000000000000102" + "0000000000000a0b" + h.RootHash.String()
	if hex.EncodeToString(msg) != want || len(msg) != 66 {
		t.Fatalf("message %x\nwant    %s", msg, want)
	}
}

func TestSignedTreeHeadSignVerifyParse(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := GenerateKey()
	h := TreeHead{TreeSize: 42, Timestamp: 1795000000000, RootHash: LeafHash([]byte("r"))}
	s, err := SignTreeHead(k, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(k.Public()); err != nil {
		t.Fatalf("genuine head refused: %v", err)
	}
	raw, _ := json.Marshal(s)
	back, err := ParseSignedTreeHead(raw)
	if err != nil || back.Verify(k.Public()) != nil {
		t.Fatalf("round trip: %v %s", err, raw)
	}
	if e, _ := apperr.As(s.Verify(other.Public())); e == nil || e.Code != "wrong_key" {
		t.Errorf("other key: %v", e)
	}
	for name, mut := range map[string]func(*SignedTreeHead){
		"size":      func(s *SignedTreeHead) { s.TreeSize++ },
		"timestamp": func(s *SignedTreeHead) { s.Timestamp-- },
		"root":      func(s *SignedTreeHead) { s.RootHash[31] ^= 1 },
		"signature": func(s *SignedTreeHead) { s.Signature = append([]byte{}, s.Signature...); s.Signature[10] ^= 1 },
	} {
		m := s
		mut(&m)
		if e, _ := apperr.As(m.Verify(k.Public())); e == nil || e.Code != "bad_signature" {
			t.Errorf("%s changed, verify = %v", name, e)
		}
	}
	if _, err := ParseSignedTreeHead([]byte(`{"treeSize":1,"rootHash":"zz","timestamp":1,"keyId":"x","signature":"AA=="}`)); err == nil {
		t.Error("bad root hash parsed")
	}
}
