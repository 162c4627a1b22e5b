package notary

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestParsePublicKeyPEM(t *testing.T) {
	priv, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := smx509.MarshalPKIXPublicKey(&priv.PublicKey)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))

	tmpl := &smx509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	certDER, err := smx509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}))

	fromKey, err := ParsePublicKeyPEM(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	fromCert, err := ParsePublicKeyPEM(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	if fromKey.ID != fromCert.ID || len(fromKey.ID) != 64 {
		t.Fatalf("key ids differ or malformed: %s vs %s", fromKey.ID, fromCert.ID)
	}
	if fromCert.PEM != pubPEM {
		t.Fatal("certificate key not normalised to the same PEM")
	}

	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p256DER, _ := x509.MarshalPKIXPublicKey(&p256.PublicKey)
	bad := map[string]string{
		"garbage":     "hello",
		"p256":        string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p256DER})),
		"private":     string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})),
		"corrupt der": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der[:20]})),
	}
	for name, text := range bad {
		if _, err := ParsePublicKeyPEM(text); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: err = %v, want Invalid", name, err)
		}
	}
}
