// Package notary is the platform's trust core and the only importer of
// github.com/emmansun/gmsm (SM2, SM3, SM4).
package notary

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/emmansun/gmsm/sm4"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// FieldKeySize is the size in bytes of the key that encrypts personal data
// and secrets at rest (SM4 keys are 128 bits).
const FieldKeySize = 16

const fieldPrefix = "sm4gcm1:"

// FieldCipher encrypts small values at rest (ID numbers, phone numbers, TOTP
// secrets) with SM4-GCM under the platform's configured field key.
type FieldCipher struct {
	aead cipher.AEAD
}

// NewFieldCipher returns a cipher for key, which must be FieldKeySize bytes;
// otherwise it returns apperr.Invalid.
func NewFieldCipher(key []byte) (*FieldCipher, error) {
	if len(key) != FieldKeySize {
		return nil, apperr.Newf(apperr.Invalid, "字段加密密钥应为 %d 字节", "field key must be %d bytes", FieldKeySize)
	}
	block, err := sm4.NewCipher(key)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "字段加密密钥无效", "invalid field key")
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "SM4-GCM 初始化失败", "SM4-GCM setup failed")
	}
	return &FieldCipher{aead: aead}, nil
}

// Seal encrypts plaintext bound to label (for example "users.totp_secret:42"),
// so a ciphertext copied to another row or column does not decrypt there.
func (f *FieldCipher) Seal(plaintext []byte, label string) string {
	nonce := make([]byte, f.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("notary: no randomness: " + err.Error())
	}
	out := f.aead.Seal(nonce, nonce, plaintext, []byte(label))
	return fieldPrefix + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts a value sealed with the same label. It returns apperr.Internal
// when the value is malformed, was sealed under another key or label, or was
// tampered with: stored data that does not decrypt is a server fault.
func (f *FieldCipher) Open(sealed, label string) ([]byte, error) {
	raw, ok := strings.CutPrefix(sealed, fieldPrefix)
	if !ok {
		return nil, apperr.New(apperr.Internal, "加密字段格式错误", "encrypted field has an unknown format")
	}
	b, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(b) < f.aead.NonceSize()+f.aead.Overhead() {
		return nil, apperr.New(apperr.Internal, "加密字段已损坏", "encrypted field is corrupt")
	}
	n := f.aead.NonceSize()
	pt, err := f.aead.Open(nil, b[:n], b[n:], []byte(label))
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "加密字段无法解密", "encrypted field does not decrypt")
	}
	return pt, nil
}
