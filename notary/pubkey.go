package notary

import (
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/pem"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// PublicKey is a bidder's (or the platform's) SM2 public key, registered as a
// PEM public key or taken from an SM2 X.509 certificate.
type PublicKey struct {
	key *ecdsa.PublicKey
	PEM string // the normalised "PUBLIC KEY" PEM
	ID  string // key id: hex SM3 of the DER SubjectPublicKeyInfo
}

// ParsePublicKeyPEM accepts a "PUBLIC KEY" PEM or a "CERTIFICATE" PEM whose
// key is on the SM2 curve. Anything else (another curve, RSA, garbage, a
// private key) is apperr.Invalid.
func ParsePublicKeyPEM(text string) (*PublicKey, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, apperr.New(apperr.Invalid, "公钥不是 PEM 格式", "the public key is not PEM").WithField("publicKey", "not PEM")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = smx509.ParsePKIXPublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *smx509.Certificate
		if cert, err = smx509.ParseCertificate(block.Bytes); err == nil {
			pub = cert.PublicKey
		}
	default:
		return nil, apperr.Newf(apperr.Invalid, "不支持的 PEM 类型 %q（需要 PUBLIC KEY 或 CERTIFICATE）",
			"unsupported PEM type %q (want PUBLIC KEY or CERTIFICATE)", block.Type).WithField("publicKey", "wrong PEM type")
	}
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "公钥无法解析", "the public key cannot be parsed").WithField("publicKey", "unparsable")
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok || !sm2.IsSM2PublicKey(ec) {
		return nil, apperr.New(apperr.Invalid, "不是 SM2 公钥", "not an SM2 public key").WithField("publicKey", "not SM2")
	}
	return newPublicKey(ec)
}

func newPublicKey(ec *ecdsa.PublicKey) (*PublicKey, error) {
	der, err := smx509.MarshalPKIXPublicKey(ec)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "公钥编码失败", "cannot encode the public key")
	}
	sum := sm3.Sum(der)
	return &PublicKey{
		key: ec,
		PEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		ID:  hex.EncodeToString(sum[:]),
	}, nil
}
