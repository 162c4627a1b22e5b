package notary

import "testing"

// FuzzParsePublicKeyPEM feeds arbitrary text to the public-key parser: it
// must never panic, and an accepted key re-parses from its own PEM to the
// same key id.
func FuzzParsePublicKeyPEM(f *testing.F) {
	f.Add("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE\n-----END PUBLIC KEY-----\n")
	f.Add("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		k, err := ParsePublicKeyPEM(text)
		if err != nil {
			return
		}
		again, err := ParsePublicKeyPEM(k.PEM)
		if err != nil || again.ID != k.ID {
			t.Fatalf("normalised PEM does not round-trip: %v", err)
		}
	})
}
