package notary

import (
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"

	"github.com/emmansun/gmsm/pkcs"
	"github.com/emmansun/gmsm/pkcs8"
	"github.com/emmansun/gmsm/sm2"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// PrivateKey is an SM2 private key: a bidder's, an escrow holder's or the
// platform's signing key.
type PrivateKey struct {
	key *sm2.PrivateKey
	pub *PublicKey
}

// GenerateKey returns a new SM2 key pair.
func GenerateKey() (*PrivateKey, error) {
	k, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "生成 SM2 密钥失败", "cannot generate an SM2 key")
	}
	return wrapPrivate(k)
}

func wrapPrivate(k *sm2.PrivateKey) (*PrivateKey, error) {
	pub, err := newPublicKey(&k.PublicKey)
	if err != nil {
		return nil, err
	}
	return &PrivateKey{key: k, pub: pub}, nil
}

// Public returns the key's public half.
func (k *PrivateKey) Public() *PublicKey { return k.pub }

// Sign signs msg with SM2 using the standard user ID "1234567812345678"
// (GB/T 35276), returning an ASN.1 DER signature.
func (k *PrivateKey) Sign(msg []byte) ([]byte, error) {
	sig, err := k.key.SignWithSM2(rand.Reader, nil, msg)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "SM2 签名失败", "SM2 signing failed")
	}
	return sig, nil
}

// Verify reports whether sig is k's SM2 signature (standard user ID) of msg.
func (k *PublicKey) Verify(msg, sig []byte) bool {
	return sm2.VerifyASN1WithSM2(k.key, nil, msg, sig)
}

// Encrypt wraps a short secret (a data key) to k with SM2 public-key
// encryption, GM/T 0009 ASN.1 ciphertext (C1C3C2 in a SEQUENCE).
func (k *PublicKey) Encrypt(secret []byte) ([]byte, error) {
	ct, err := sm2.EncryptASN1(rand.Reader, k.key, secret)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "SM2 加密失败", "SM2 encryption failed")
	}
	return ct, nil
}

// Decrypt unwraps a secret encrypted to k's public key. A ciphertext for
// another key, or a damaged one, is apperr.Invalid.
func (k *PrivateKey) Decrypt(ct []byte) ([]byte, error) {
	pt, err := sm2.Decrypt(k.key, ct)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "无法用此私钥解密（密钥不匹配或密文损坏）",
			"cannot decrypt with this private key (wrong key or damaged ciphertext)").WithCode("wrong_key")
	}
	return pt, nil
}

// MarshalPEM encodes the private key as PKCS#8 PEM. With a password it is an
// "ENCRYPTED PRIVATE KEY" under PBES2 with PBKDF2-HMAC-SM3 and SM4-CBC;
// without one (only for the platform key on a protected disk) it is plain.
func (k *PrivateKey) MarshalPEM(password []byte) ([]byte, error) {
	var enc pkcs.PBESEncrypter
	typ := "PRIVATE KEY"
	if len(password) > 0 {
		enc = pkcs.NewSMPBESEncrypter(16, 100000)
		typ = "ENCRYPTED PRIVATE KEY"
	}
	der, err := pkcs8.MarshalPrivateKey(k.key, password, enc)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "私钥编码失败", "cannot encode the private key")
	}
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), nil
}

// ParsePrivateKeyPEM decodes a PKCS#8 SM2 private key, encrypted or not.
// It returns apperr.Invalid with code "wrong_password" for a wrong or
// missing password, and apperr.Invalid for anything that is not an SM2
// private key.
func ParsePrivateKeyPEM(data, password []byte) (*PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || (block.Type != "PRIVATE KEY" && block.Type != "ENCRYPTED PRIVATE KEY") {
		return nil, apperr.New(apperr.Invalid, "不是 PKCS#8 私钥 PEM 文件", "not a PKCS#8 private key PEM file")
	}
	if block.Type == "ENCRYPTED PRIVATE KEY" && len(password) == 0 {
		return nil, apperr.New(apperr.Invalid, "私钥已加密，需要密码", "the private key is encrypted; a password is needed").WithCode("password_required")
	}
	key, _, err := pkcs8.ParsePrivateKey(block.Bytes, password)
	if err != nil {
		if block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, apperr.Wrap(err, apperr.Invalid, "私钥密码错误", "wrong private key password").WithCode("wrong_password")
		}
		return nil, apperr.Wrap(err, apperr.Invalid, "私钥无法解析", "the private key cannot be parsed")
	}
	k, ok := key.(*sm2.PrivateKey)
	if !ok {
		return nil, apperr.New(apperr.Invalid, "不是 SM2 私钥", "not an SM2 private key")
	}
	return wrapPrivate(k)
}

// LoadOrCreatePlatformKey reads the platform's signing key from path, or on
// first start generates it and writes it there (mode 0600, directory 0700).
// The key is never printed or logged.
func LoadOrCreatePlatformKey(path string, password []byte) (*PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return ParsePrivateKeyPEM(data, password)
	}
	if !os.IsNotExist(err) {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取平台签名密钥", "cannot read the platform signing key")
	}
	k, err := GenerateKey()
	if err != nil {
		return nil, err
	}
	out, err := k.MarshalPEM(password)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法创建密钥目录", "cannot create the key directory")
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法写入平台签名密钥", "cannot write the platform signing key")
	}
	return k, nil
}
