package notary

import (
	"context"
	"io"
	"sync/atomic"
)

// opener runs the checks shared by verification and decryption over a
// decoder: it hashes every chunk (and, given a DEK, decrypts it) on the
// worker pool, then checks the digest and the signature. The first failing
// chunk stops the plaintext but not the hashing, so that the final verdict
// can tell a tampered header from a tampered chunk (see result).
type opener struct {
	expect  Expect
	keyFor  func(*Header) ([]byte, error) // nil: verify only
	out     io.Writer                     // plaintext sink, nil when verifying
	workers int

	dec       *decoder
	pool      *pool
	tree      *treeHasher
	aeads     *aeadSet
	gcmErr    error       // first chunk whose tag failed, in chunk order
	stopOpen  atomic.Bool // set by the sink after gcmErr: later chunks are only hashed
	plaintext int64
}

func newOpener(expect Expect, keyFor func(*Header) ([]byte, error), out io.Writer, workers int) *opener {
	o := &opener{expect: expect, keyFor: keyFor, out: out, workers: workerCount(workers), tree: newTreeHasher()}
	o.dec = newDecoder()
	o.dec.onHeader = o.onHeader
	o.dec.getBuf = func() ([]byte, error) { return o.pool.get() }
	o.dec.onChunk = func(t *task) { o.pool.submit(t) }
	return o
}

// onHeader runs once the header is parsed: expectations first (cheap, and
// a wrong section should be refused before megabytes are read), then the
// key, then the pool is started.
func (o *opener) onHeader(h *Header) error {
	if err := o.expect.check(h); err != nil {
		return err
	}
	if o.keyFor != nil {
		dek, err := o.keyFor(h)
		if err != nil {
			return err
		}
		if o.aeads, err = newAEADSet(dek, o.workers); err != nil {
			return err
		}
	}
	o.pool = newPool(o.workers, h.ChunkSize+TagSize, o.work, o.sink)
	return nil
}

// work hashes the ciphertext, then decrypts it in place.
func (o *opener) work(worker int, t *task) {
	t.leaf = leafHash(t.data)
	if o.aeads == nil || o.stopOpen.Load() {
		return
	}
	h := o.dec.hdr
	nonce := chunkNonce(h.NoncePrefix, t.index, t.final)
	pt, err := o.aeads.get(worker).Open(t.data[:0], nonce[:], t.data, h.Raw)
	if err != nil {
		t.err = errChunk(t.index, "认证标签不符（数据块被改动、调换、重复或缺失）",
			"the authentication tag does not match (a chunk was altered, moved, repeated or removed)")
		return
	}
	t.data = pt
}

func (o *opener) sink(t *task) error {
	o.tree.add(t.leaf)
	if o.gcmErr != nil || o.aeads == nil {
		return nil
	}
	if t.err != nil {
		o.gcmErr = t.err
		o.stopOpen.Store(true)
		return nil
	}
	if _, err := o.out.Write(t.data); err != nil {
		return errIO(err, "写出明文失败", "cannot write the plaintext")
	}
	o.plaintext += int64(len(t.data))
	return nil
}

// result finishes the stream and gives the verdict, in the order FORMAT.md
// §5 documents.
func (o *opener) result() (Digest, error) {
	structErr := o.dec.finish()
	if o.pool != nil {
		if err := o.pool.close(); err != nil {
			return Digest{}, err // the plaintext writer failed
		}
	}
	digest := o.tree.sum()
	digestOK := structErr == nil && digest == o.dec.digest
	sigOK := digestOK && o.dec.hdr.Signer.Verify(signedMessage(o.dec.hdr.Hash(), digest), o.dec.sig)
	switch {
	case o.gcmErr != nil && digestOK && !sigOK:
		// The chunks are the ones the bidder hashed, yet they do not
		// decrypt against this header: the header changed after signing.
		return digest, errHeader("头部与签名不符，数据块无法通过认证", "it no longer matches the signature and the chunks fail authentication against it")
	case o.gcmErr != nil:
		return digest, o.gcmErr
	case structErr != nil:
		return digest, structErr
	case !digestOK:
		return digest, errDigestMismatch()
	case !sigOK:
		return digest, errSignature("签名与头部和摘要不符（头部或签名被改动）", "it does not match the header and the digest (the header or the signature was altered)")
	}
	return digest, nil
}

// run feeds the decoder from r, checking ctx between reads.
func (o *opener) run(ctx context.Context, r io.Reader) (Digest, error) {
	buf := make([]byte, 256<<10)
	for {
		if ctx.Err() != nil {
			o.abandon()
			return Digest{}, errCancelled(ctx.Err())
		}
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := o.dec.Write(buf[:n]); werr != nil {
				return o.result()
			}
		}
		if err == io.EOF {
			return o.result()
		}
		if err != nil {
			o.abandon()
			return Digest{}, errIO(err, "读取信封失败", "cannot read the envelope")
		}
	}
}

// abandon stops the workers without a verdict.
func (o *opener) abandon() {
	if o.pool != nil {
		o.pool.close()
	}
}
