package notary

import (
	"bufio"
	"context"
	"crypto/rand"
	"io"
	"runtime"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// SealOptions configures Seal.
type SealOptions struct {
	Signer     *PrivateKey  // the bidder's key: signs the envelope, embedded as its public half
	Recipients []*PublicKey // who can unwrap the DEK: the bidder, optionally an escrow key (1–16)
	Meta       Metadata     // SealedAt defaults to now, Fingerprint to MachineFingerprint()
	ChunkSize  int          // plaintext bytes per chunk; 0 means DefaultChunkSize
	Workers    int          // goroutines for GCM and hashing; 0 means GOMAXPROCS
	// Progress, if set, is called after each chunk is written with the
	// plaintext bytes sealed so far, from one goroutine, in order.
	Progress func(plaintextBytes int64)

	fixed *sealFixed // test vectors only: fixed randomness
}

// sealFixed replaces Seal's randomness so test vectors are reproducible.
type sealFixed struct {
	dek, noncePrefix []byte
	wrap             func(i int, pub *PublicKey, dek []byte) ([]byte, error)
	sign             func(msg []byte) ([]byte, error)
}

// SealResult describes a sealed envelope.
type SealResult struct {
	Header    *Header
	Digest    Digest // the chunk-tree ciphertext digest
	Size      int64  // envelope bytes written
	Plaintext int64  // plaintext bytes read
	Chunks    uint64
}

// Seal reads the bid from r until EOF and writes the envelope to w, in
// memory bounded by about 2 × workers × chunk size. The chunks are
// encrypted and hashed on all cores and written in order.
//
// Errors: apperr.Invalid with code bad_seal_options for unusable options;
// apperr.Unavailable with code cancelled when ctx ends; apperr.Internal
// with code io_failed when r or w fails. On error w holds a partial
// envelope, which callers must discard.
func Seal(ctx context.Context, w io.Writer, r io.Reader, opts SealOptions) (*SealResult, error) {
	s, err := newSealer(opts)
	if err != nil {
		return nil, err
	}
	res := &SealResult{Header: s.hdr}
	if _, err := w.Write(s.hdr.Raw); err != nil {
		return nil, errIO(err, "写出信封失败", "cannot write the envelope")
	}
	res.Size = int64(len(s.hdr.Raw))
	if err := s.body(ctx, w, r, res); err != nil {
		return nil, err
	}
	res.Digest = s.tree.sum()
	sig, err := s.sign(signedMessage(s.hdr.Hash(), res.Digest))
	if err != nil {
		return nil, err
	}
	trailer := append(append(res.Digest[:], byte(len(sig))), sig...)
	if _, err := w.Write(trailer); err != nil {
		return nil, errIO(err, "写出信封失败", "cannot write the envelope")
	}
	res.Size += int64(len(trailer))
	return res, nil
}

type sealer struct {
	opts    SealOptions
	hdr     *Header
	aeads   *aeadSet
	workers int
	tree    *treeHasher
	sign    func([]byte) ([]byte, error)
}

func newSealer(o SealOptions) (*sealer, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.ChunkSize == 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.Meta.SealedAt.IsZero() {
		o.Meta.SealedAt = time.Now()
	}
	if o.Meta.Fingerprint.IsZero() {
		o.Meta.Fingerprint = MachineFingerprint()
	}
	dek, prefix, wrap, sign := o.randomness()
	hdr, err := buildHeader(o, dek, prefix, wrap)
	if err != nil {
		return nil, err
	}
	workers := workerCount(o.Workers)
	aeads, err := newAEADSet(dek, workers)
	if err != nil {
		return nil, err
	}
	return &sealer{opts: o, hdr: hdr, aeads: aeads, workers: workers, tree: newTreeHasher(), sign: sign}, nil
}

func workerCount(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// randomness returns the DEK, the nonce prefix, and the wrap and sign
// functions: fresh randomness, unless a test vector fixes them.
func (o SealOptions) randomness() ([]byte, [NoncePrefixSize]byte, func(int, *PublicKey, []byte) ([]byte, error), func([]byte) ([]byte, error)) {
	var prefix [NoncePrefixSize]byte
	if f := o.fixed; f != nil {
		copy(prefix[:], f.noncePrefix)
		return f.dek, prefix, f.wrap, f.sign
	}
	dek := make([]byte, DEKSize)
	if _, err := rand.Read(dek); err != nil {
		panic("notary: no randomness: " + err.Error())
	}
	if _, err := rand.Read(prefix[:]); err != nil {
		panic("notary: no randomness: " + err.Error())
	}
	wrap := func(_ int, pub *PublicKey, dek []byte) ([]byte, error) { return pub.Encrypt(dek) }
	return dek, prefix, wrap, o.Signer.Sign
}

func buildHeader(o SealOptions, dek []byte, prefix [NoncePrefixSize]byte, wrap func(int, *PublicKey, []byte) ([]byte, error)) (*Header, error) {
	h := &Header{Version: Version, ChunkSize: o.ChunkSize, NoncePrefix: prefix,
		KeyCommitment: keyCommitment(dek), Signer: o.Signer.Public(), Meta: o.Meta}
	h.Meta.SealedAt = time.UnixMilli(o.Meta.SealedAt.UnixMilli()).UTC() // what the header can hold
	for i, pub := range o.Recipients {
		ct, err := wrap(i, pub, dek)
		if err != nil {
			return nil, err
		}
		h.Recipients = append(h.Recipients, Recipient{KeyID: pub.ID, Wrapped: ct})
	}
	encodeHeader(h)
	return h, nil
}

func badOptions(zh, en string) error {
	return apperr.New(apperr.Invalid, zh, en).WithCode(CodeBadSealOptions)
}

func (o SealOptions) validate() error {
	seen := map[string]bool{}
	for _, r := range o.Recipients {
		if r == nil || seen[r.ID] {
			return badOptions("收件人公钥为空或重复", "a recipient key is nil or repeated")
		}
		seen[r.ID] = true
	}
	m := o.Meta
	switch {
	case o.Signer == nil:
		return badOptions("缺少投标人签名私钥", "no signing key given")
	case len(o.Recipients) < 1 || len(o.Recipients) > MaxRecipients:
		return badOptions("收件人数量应为 1 至 16", "there must be 1 to 16 recipients")
	case o.ChunkSize != 0 && (o.ChunkSize < MinChunkSize || o.ChunkSize > MaxChunkSize):
		return badOptions("分块大小应在 256 字节至 4 MiB 之间", "the chunk size must be between 256 bytes and 4 MiB")
	case !okText(m.Project, 1, maxIDLen) || !okText(m.Section, 1, maxIDLen) || !okText(m.Bidder, 0, maxIDLen):
		return badOptions("项目、标段编号必填，各编号不超过 256 字节的 UTF-8 文本", "project and section ids are required; ids are UTF-8 of at most 256 bytes")
	case !okText(m.SchemaVersion, 0, maxSchemaLen):
		return badOptions("投标文件格式版本不超过 64 字节", "the bid-form schema version is at most 64 bytes")
	}
	return nil
}

func okText(s string, lo, hi int) bool {
	return len(s) >= lo && len(s) <= hi && utf8.ValidString(s)
}

// body streams the chunks through the worker pool.
func (s *sealer) body(ctx context.Context, w io.Writer, r io.Reader, res *SealResult) error {
	cs := s.hdr.ChunkSize
	p := newPool(s.workers, recordSize+cs+TagSize, s.encrypt, func(t *task) error {
		if _, err := w.Write(t.data); err != nil {
			return errIO(err, "写出信封失败", "cannot write the envelope")
		}
		s.tree.add(t.leaf)
		res.Size += int64(len(t.data))
		res.Plaintext += int64(len(t.data) - recordSize - TagSize)
		res.Chunks++
		if s.opts.Progress != nil {
			s.opts.Progress(res.Plaintext)
		}
		return nil
	})
	err := s.produce(ctx, p, bufio.NewReaderSize(r, 64<<10))
	if perr := p.close(); perr != nil {
		return perr
	}
	return err
}

// produce reads chunk after chunk and submits them. A chunk is final when
// the input ends inside it or right after it (a one-byte peek), so an input
// of exactly k chunks has no empty extra chunk, and an empty input is one
// empty final chunk.
func (s *sealer) produce(ctx context.Context, p *pool, br *bufio.Reader) error {
	cs := s.hdr.ChunkSize
	for index := uint64(0); ; index++ {
		if err := p.failed(); err != nil {
			return err // the writer failed: stop reading
		}
		if ctx.Err() != nil {
			return errCancelled(ctx.Err())
		}
		if index >= MaxChunks {
			return badOptions("输入过大，超过此分块大小下的块数上限", "the input is too large for this chunk size")
		}
		buf, err := p.get()
		if err != nil {
			return err
		}
		n, err := io.ReadFull(br, buf[recordSize:recordSize+cs])
		final := err == io.EOF || err == io.ErrUnexpectedEOF
		if err == nil {
			_, err = br.Peek(1)
			final = err == io.EOF
		}
		if err != nil && !final {
			return errIO(err, "读取投标文件失败", "cannot read the bid file")
		}
		p.submit(&task{index: index, final: final, buf: buf, data: buf[recordSize : recordSize+n]})
		if final {
			return nil
		}
	}
}

// encrypt seals one chunk in place and hashes its ciphertext.
func (s *sealer) encrypt(worker int, t *task) {
	nonce := chunkNonce(s.hdr.NoncePrefix, t.index, t.final)
	ct := s.aeads.get(worker).Seal(t.data[:0], nonce[:], t.data, s.hdr.Raw)
	t.leaf = leafHash(ct)
	t.data = frameChunk(t.buf, len(ct), t.final)
}
