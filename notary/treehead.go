package notary

import (
	"bytes"
	"encoding/binary"
	"encoding/json"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// treeHeadLabel starts every signed tree-head message, so that a signature
// over a tree head can never be mistaken for one over a receipt or a bid.
const treeHeadLabel = "tenderhall-sth-v1"

// TreeHead is the state of the transparency log at one moment: its size,
// its root hash and the time (Unix milliseconds) the platform vouched for it.
type TreeHead struct {
	TreeSize  uint64 `json:"treeSize"`
	RootHash  Hash   `json:"rootHash"`
	Timestamp int64  `json:"timestamp"`
}

// SignedTreeHead is a TreeHead with the platform's SM2 signature over
// SignedMessage and the id of the key that made it (hex SM3 of its
// SubjectPublicKeyInfo). In JSON the signature is standard base64 of the
// ASN.1 DER signature.
type SignedTreeHead struct {
	TreeHead
	KeyID     string `json:"keyId"`
	Signature []byte `json:"signature"`
}

// SignedMessage returns the exact bytes the platform signs (66 bytes):
//
//	"tenderhall-sth-v1"   17 ASCII bytes
//	0x00                  1 byte
//	tree size             8 bytes, unsigned big-endian
//	timestamp             8 bytes, signed big-endian, Unix milliseconds
//	root hash             32 bytes
//
// The signature is SM2 with the standard user ID "1234567812345678".
func (h TreeHead) SignedMessage() []byte {
	msg := make([]byte, 0, len(treeHeadLabel)+1+8+8+HashSize)
	msg = append(msg, treeHeadLabel...)
	msg = append(msg, 0)
	msg = binary.BigEndian.AppendUint64(msg, h.TreeSize)
	msg = binary.BigEndian.AppendUint64(msg, uint64(h.Timestamp))
	return append(msg, h.RootHash[:]...)
}

// SignTreeHead signs h with the platform key k. It returns apperr.Internal
// when signing fails.
func SignTreeHead(k *PrivateKey, h TreeHead) (SignedTreeHead, error) {
	sig, err := k.Sign(h.SignedMessage())
	if err != nil {
		return SignedTreeHead{}, err
	}
	return SignedTreeHead{TreeHead: h, KeyID: k.Public().ID, Signature: sig}, nil
}

// Verify checks the head's signature with the platform public key pub. It
// returns apperr.Invalid with code "wrong_key" when the head names another
// key, and code "bad_signature" when the signature does not verify.
func (s SignedTreeHead) Verify(pub *PublicKey) error {
	if s.KeyID != pub.ID {
		return apperr.Newf(apperr.Invalid, "树头由另一把密钥签名（%s），不是平台公钥 %s",
			"the tree head was signed by another key (%s), not the platform key %s", short(s.KeyID), short(pub.ID)).WithCode("wrong_key")
	}
	if !pub.Verify(s.SignedMessage(), s.Signature) {
		return apperr.Newf(apperr.Invalid, "大小为 %d 的树头签名无效", "the signature of the tree head of size %d is invalid",
			s.TreeSize).WithCode("bad_signature")
	}
	return nil
}

// ParseSignedTreeHead decodes a signed tree head from JSON (unknown fields,
// such as the API's id, are ignored). A malformed document, a bad root hash
// or a signature longer than 128 bytes is apperr.Invalid. Parsing does not
// verify: call Verify.
func ParseSignedTreeHead(data []byte) (SignedTreeHead, error) {
	var s SignedTreeHead
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		return s, apperr.Wrap(err, apperr.Invalid, "树头不是有效的 JSON", "the tree head is not valid JSON")
	}
	if dec.More() {
		return s, apperr.New(apperr.Invalid, "树头 JSON 之后还有多余内容", "unexpected data after the tree head JSON")
	}
	if len(s.Signature) == 0 || len(s.Signature) > 128 {
		return s, apperr.New(apperr.Invalid, "树头签名缺失或过长", "the tree head signature is missing or too long")
	}
	return s, nil
}

func short(id string) string {
	if len(id) > 16 {
		return id[:16] + "…"
	}
	return id
}
