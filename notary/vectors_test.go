package notary

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// The published examples of the SM standards, copied digit for digit from
// the standards' appendices (not regenerated with this library). Each
// group names its source.

func vectorHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("test bug: bad hex %q: %v", s, err)
	}
	return b
}

// GB/T 32905-2016 (SM3), appendix A: example 1 ("abc", one block) and
// example 2 ("abcd" × 16, 512 bits, so the padding spills into a second
// block). Hashed at once and one byte at a time, to cover both paths.
func TestSM3StandardVectors(t *testing.T) {
	cases := []struct{ name, msg, digest string }{
		{"example 1", "abc", "66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0"},
		{"example 2", strings.Repeat("abcd", 16), "debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732"},
	}
	for _, c := range cases {
		want := vectorHex(t, c.digest)
		if got := sm3.Sum([]byte(c.msg)); !bytes.Equal(got[:], want) {
			t.Errorf("%s: SM3 = %x, want %x", c.name, got, want)
		}
		h := sm3.New()
		for i := range len(c.msg) {
			h.Write([]byte{c.msg[i]})
		}
		if got := h.Sum(nil); !bytes.Equal(got, want) {
			t.Errorf("%s: streamed SM3 = %x, want %x", c.name, got, want)
		}
	}
}

// GB/T 32907-2016 (SM4), appendix A: example 1 encrypts the plaintext
// 0123456789abcdeffedcba9876543210 under the same value as key once;
// example 2 encrypts it 1,000,000 times in a row under that key.
func TestSM4StandardVectors(t *testing.T) {
	key := vectorHex(t, "01234567 89abcdef fedcba98 76543210")
	c, err := sm4.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		rounds int
		want   string
	}{
		{"example 1", 1, "681edf34 d206965e 86b3e94f 536e4246"},
		{"example 2", 1000000, "595298c7 c6fd271f 0402f804 c33d3f66"},
	}
	for _, tc := range cases {
		block := bytes.Clone(key) // the plaintext equals the key in both examples
		for range tc.rounds {
			c.Encrypt(block, block)
		}
		if want := vectorHex(t, tc.want); !bytes.Equal(block, want) {
			t.Errorf("%s: SM4 = %x, want %x", tc.name, block, want)
		}
		if tc.rounds == 1 { // the inverse once is enough; a million more would only cost time
			if c.Decrypt(block, block); !bytes.Equal(block, key) {
				t.Errorf("%s: decryption does not return the plaintext: %x", tc.name, block)
			}
		}
	}
}

// The SM2 key of the worked examples on the recommended curve, GM/T
// 0003.5-2012 (SM2 part 5, parameter definitions; GB/T 32918.5-2017)
// appendices A (signature) and C (encryption): private key d and public key
// (x, y).
const (
	sm2VectorD = "3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8"
	sm2VectorX = "09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020"
	sm2VectorY = "CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13"
	sm2VectorK = "59276E27 D506861A 16680F3A D9C02DCC EF3CC1FA 3CDBE4CE 6D54B80D EAC1BC21" // the random k of both examples
)

func sm2VectorKey(t *testing.T) *PrivateKey {
	t.Helper()
	d, err := sm2.NewPrivateKey(vectorHex(t, sm2VectorD))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d.X.FillBytes(make([]byte, 32)), vectorHex(t, sm2VectorX)) ||
		!bytes.Equal(d.Y.FillBytes(make([]byte, 32)), vectorHex(t, sm2VectorY)) {
		t.Fatalf("d·G = (%x, %x), not the published public key", d.X, d.Y)
	}
	k, err := wrapPrivate(d)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// GM/T 0003.5-2012 appendix A (GB/T 32918.5-2017): the signature of
// "message digest" with user ID "1234567812345678" (the standard ID our
// Sign and Verify use), with the intermediate ZA and e, and the published
// (r, s). Signing is randomised, so the published signature is verified
// rather than reproduced.
func TestSM2StandardSignatureVector(t *testing.T) {
	key := sm2VectorKey(t)
	pub := key.Public()
	msg, uid := []byte("message digest"), []byte("1234567812345678")
	za, err := sm2.CalculateZA(pub.key, uid)
	if err != nil || !bytes.Equal(za, vectorHex(t, "B2E14C5C 79C6DF5B 85F4FE7E D8DB7A26 2B9DA7E0 7CCB0EA9 F4747B8C CDA8A4F3")) {
		t.Fatalf("ZA = %x, %v", za, err)
	}
	if e := sm3.Sum(append(za, msg...)); !bytes.Equal(e[:], vectorHex(t, "F0B43E94 BA45ACCA ACE692ED 534382EB 17E6AB5A 19CE7B31 F4486FDF C0D28640")) {
		t.Fatalf("e = %x", e)
	}
	r := new(big.Int).SetBytes(vectorHex(t, "F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3"))
	s := new(big.Int).SetBytes(vectorHex(t, "B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA"))
	sig, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Verify(msg, sig) {
		t.Fatal("PublicKey.Verify refuses the published signature")
	}
	if pub.Verify([]byte("message digesT"), sig) || sm2.VerifyASN1WithSM2(pub.key, []byte("ALICE123@YAHOO.COM"), msg, sig) {
		t.Fatal("the published signature verified for another message or user ID")
	}
	mine, err := key.Sign(msg)
	if err != nil || !pub.Verify(msg, mine) {
		t.Fatalf("own signature with the published key: %v", err)
	}
}

// GM/T 0003.5-2012 appendix C (GB/T 32918.5-2017): "encryption standard"
// encrypted to the key above with the published k, giving C1 = (x1, y1), C3
// and C2 (the standard's order is C1 ‖ C3 ‖ C2). We decrypt it in the raw
// form and in the GM/T 0009 ASN.1 form our envelopes use, and, since the
// library takes k straight from its random source, reproduce it exactly.
func TestSM2StandardEncryptionVector(t *testing.T) {
	key := sm2VectorKey(t)
	x1 := vectorHex(t, "04EBFC71 8E8D1798 62043226 8E77FEB6 415E2EDE 0E073C0F 4F640ECD 2E149A73")
	y1 := vectorHex(t, "E858F9D8 1E5430A5 7B36DAAB 8F950A3C 64E6EE6A 63094D99 283AFF76 7E124DF0")
	c3 := vectorHex(t, "59983C18 F809E262 923C53AE C295D303 83B54E39 D609D160 AFCB1908 D0BD8766")
	c2 := vectorHex(t, "21886CA9 89CA9C7D 58087307 CA93092D 651EFA")
	plain := []byte("encryption standard")

	raw := bytes.Join([][]byte{{0x04}, x1, y1, c3, c2}, nil)
	// GM/T 0009-2012 §7.2: SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING, ciphertext OCTET STRING }.
	der, err := asn1.Marshal(struct {
		X, Y       *big.Int
		Hash, Text []byte
	}{new(big.Int).SetBytes(x1), new(big.Int).SetBytes(y1), c3, c2})
	if err != nil {
		t.Fatal(err)
	}
	for name, ct := range map[string][]byte{"raw C1C3C2": raw, "GM/T 0009 ASN.1": der} {
		got, err := key.Decrypt(ct)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%s: Decrypt = %q, %v", name, got, err)
		}
	}
	again, err := sm2.EncryptASN1(bytes.NewReader(vectorHex(t, sm2VectorK)), key.Public().key, plain)
	if err != nil || !bytes.Equal(again, der) {
		t.Fatalf("encryption with the published k:\n got %x\nwant %x (%v)", again, der, err)
	}
}
