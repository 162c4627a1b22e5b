// Command wasm is the browser's copy of the bidder's offline tools: the
// notary package compiled to WebAssembly (GOOS=js GOARCH=wasm), so that keys
// are made and opened, bids sealed and data keys unwrapped on the bidder's
// machine with the same code as the CLI, and no plaintext or private key
// leaves the page. bridge.go is the logic, testable natively; main_js.go
// only converts between JavaScript and Go values.
package main

import (
	"bytes"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// minPasswordLen matches `tenderhall keys gen`: the key file may be copied,
// and PBKDF2 only slows guessing down.
const minPasswordLen = 8

// bridge keeps the opened keys and sealing streams behind small integer
// handles, so that JavaScript never holds a private key's bytes.
type bridge struct {
	next  int
	keys  map[int]*notary.PrivateKey
	seals map[int]*notary.SealStream
}

func newBridge() *bridge {
	return &bridge{keys: map[int]*notary.PrivateKey{}, seals: map[int]*notary.SealStream{}}
}

// keyInfo describes a key pair; PrivatePEM is set only for a new key.
type keyInfo struct {
	Handle     int    `json:"handle"`
	KeyID      string `json:"keyId"`
	PublicPEM  string `json:"publicPem"`
	PrivatePEM string `json:"privatePem,omitempty"`
}

// generateKey makes a key pair and its password-protected PKCS#8 file, in
// the format `tenderhall keys gen` writes, and keeps it open.
func (b *bridge) generateKey(password string) (keyInfo, error) {
	if len(password) < minPasswordLen {
		return keyInfo{}, apperr.Newf(apperr.Invalid, "口令至少 %d 个字节", "the password must be at least %d bytes", minPasswordLen).WithCode("weak_password")
	}
	k, err := notary.GenerateKey()
	if err != nil {
		return keyInfo{}, err
	}
	pem, err := k.MarshalPEM([]byte(password))
	if err != nil {
		return keyInfo{}, err
	}
	info := b.keep(k)
	info.PrivatePEM = string(pem)
	return info, nil
}

// openKey decrypts a private key file with its password (wrong_password,
// password_required or a parse error otherwise).
func (b *bridge) openKey(pem []byte, password string) (keyInfo, error) {
	k, err := notary.ParsePrivateKeyPEM(pem, []byte(password))
	if err != nil {
		return keyInfo{}, err
	}
	return b.keep(k), nil
}

func (b *bridge) keep(k *notary.PrivateKey) keyInfo {
	b.next++
	b.keys[b.next] = k
	return keyInfo{Handle: b.next, KeyID: k.Public().ID, PublicPEM: k.Public().PEM}
}

// closeKey forgets an opened key.
func (b *bridge) closeKey(h int) { delete(b.keys, h) }

func (b *bridge) key(h int) (*notary.PrivateKey, error) {
	k, ok := b.keys[h]
	if !ok {
		return nil, apperr.New(apperr.Invalid, "私钥未打开，请重新选择密钥文件", "the private key is not open; choose the key file again").WithCode("key_not_open")
	}
	return k, nil
}

// publicKey parses a public key or SM2 certificate PEM, for registration.
func (b *bridge) publicKey(pem string) (keyInfo, error) {
	k, err := notary.ParsePublicKeyPEM(pem)
	if err != nil {
		return keyInfo{}, err
	}
	return keyInfo{KeyID: k.ID, PublicPEM: k.PEM}, nil
}

// sign signs a login or room challenge message with an opened key.
func (b *bridge) sign(h int, msg []byte) ([]byte, error) {
	k, err := b.key(h)
	if err != nil {
		return nil, err
	}
	return k.Sign(msg)
}

// unwrapDEK parses an envelope header (the bidder's own stored bid's),
// unwraps its data key with the opened key and checks it against the key
// commitment, as `tenderhall bid decrypt` does.
func (b *bridge) unwrapDEK(h int, header []byte) ([]byte, error) {
	k, err := b.key(h)
	if err != nil {
		return nil, err
	}
	hdr, err := notary.ParseHeader(bytes.NewReader(header))
	if err != nil {
		return nil, err
	}
	dek, err := notary.UnwrapDEK(hdr, k)
	if err != nil {
		return nil, err
	}
	return dek, notary.CheckDEK(hdr, dek)
}

// sealRequest is what the page sends to start sealing.
type sealRequest struct {
	Recipients  []string                 `json:"recipients"` // public key PEMs: the bidder's, and the section's escrow key if any
	Project     string                   `json:"project"`
	Section     string                   `json:"section"`
	Bidder      string                   `json:"bidder"`
	ChunkSize   int                      `json:"chunkSize"`
	SealedAtMs  int64                    `json:"sealedAtMs"` // the server's time, so a skewed PC clock cannot misdate the bid
	Fingerprint []notary.FingerprintPart `json:"fingerprint"`
}

// sealStart opens a sealing stream signed by key h and returns its handle
// and the envelope header, the first bytes to upload.
func (b *bridge) sealStart(h int, req sealRequest) (int, []byte, error) {
	k, err := b.key(h)
	if err != nil {
		return 0, nil, err
	}
	opts := notary.SealOptions{Signer: k, ChunkSize: req.ChunkSize, Meta: notary.Metadata{
		Project: req.Project, Section: req.Section, Bidder: req.Bidder,
		SealedAt: time.UnixMilli(req.SealedAtMs), Fingerprint: notary.FingerprintHash(req.Fingerprint)}}
	for _, p := range req.Recipients {
		pub, err := notary.ParsePublicKeyPEM(p)
		if err != nil {
			return 0, nil, err
		}
		opts.Recipients = append(opts.Recipients, pub)
	}
	st, header, err := notary.NewSealStream(opts)
	if err != nil {
		return 0, nil, err
	}
	b.next++
	b.seals[b.next] = st
	return b.next, header, nil
}

func (b *bridge) seal(h int) (*notary.SealStream, error) {
	st, ok := b.seals[h]
	if !ok {
		return nil, apperr.New(apperr.Invalid, "封装已结束或不存在", "no such sealing stream").WithCode("seal_not_open")
	}
	return st, nil
}

// sealWrite pushes plaintext and returns the ciphertext it completes.
func (b *bridge) sealWrite(h int, p []byte) ([]byte, error) {
	st, err := b.seal(h)
	if err != nil {
		return nil, err
	}
	return st.Write(p)
}

// sealResult is what the page shows and checks the receipt against.
type sealResult struct {
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	Plaintext int64  `json:"plaintext"`
	Chunks    uint64 `json:"chunks"`
}

// sealClose ends a stream: the last ciphertext and the result.
func (b *bridge) sealClose(h int) ([]byte, sealResult, error) {
	st, err := b.seal(h)
	if err != nil {
		return nil, sealResult{}, err
	}
	delete(b.seals, h)
	tail, res, err := st.Close()
	if err != nil {
		return nil, sealResult{}, err
	}
	return tail, sealResult{Digest: res.Digest.String(), Size: res.Size, Plaintext: res.Plaintext, Chunks: res.Chunks}, nil
}

// sealAbort drops a stream the page gave up on.
func (b *bridge) sealAbort(h int) { delete(b.seals, h) }

// jsError is an error as the page shows it: a code and both languages.
type jsError struct {
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
}

func toJSError(err error) jsError {
	if e, ok := apperr.As(err); ok {
		return jsError{Code: e.MachineCode(), Zh: e.Zh, En: e.En}
	}
	return jsError{Code: "internal", Zh: "内部错误：" + err.Error(), En: "internal error: " + err.Error()}
}
