package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/notary"
)

// uploadState is what --state remembers so that a later run resumes.
type uploadState struct {
	Server   string `json:"server"`
	Section  int64  `json:"section"`
	Size     int64  `json:"size"`
	Digest   string `json:"digest"`
	UploadID string `json:"uploadId"`
}

func (e *env) submitBid(cmd *cobra.Command, c *bidClient, f bidFlags, pub *notary.PublicKey) error {
	ctx := cmd.Context()
	file, err := os.Open(f.in)
	if err != nil {
		return err
	}
	defer file.Close()
	// Check the envelope locally first: a broken file fails here, not after the upload.
	_, digest, err := notary.VerifyEnvelope(ctx, file, notary.Expect{Section: strconv.FormatInt(f.section, 10)})
	if err != nil {
		return bilingual(err)
	}
	st, _ := file.Stat()
	size := st.Size()
	want := uploadState{Server: c.base, Section: f.section, Size: size, Digest: digest.String()}
	u, err := c.resume(ctx, f.state, want)
	if err != nil {
		return err
	}
	bar := e.newProgress("uploading", size)
	for attempt := 0; ; attempt++ {
		if err := c.send(ctx, file, &u, size, f, bar); err != nil {
			return err
		}
		raw, err := c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/uploads/%s/finalize?size=%d", u.UploadID, size), nil, -1, nil)
		var he *httpError
		if errors.As(err, &he) && he.code == "upload_incomplete" && attempt < f.retries {
			if err := c.do2(ctx, http.MethodGet, "/api/v1/uploads/"+u.UploadID, &u); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		bar.finish(size)
		return e.saveReceipt(raw, f, digest, size, pub)
	}
}

// saveReceipt checks the receipt against the envelope, saves and prints it.
func (e *env) saveReceipt(raw []byte, f bidFlags, digest notary.Digest, size int64, pub *notary.PublicKey) error {
	r, err := notary.ParseReceipt(raw)
	if err != nil {
		return bilingual(err)
	}
	if r.Receipt.CiphertextDigest != digest.String() || r.Receipt.CiphertextSize != size {
		return fmt.Errorf("the receipt names digest %s (%d bytes), not this envelope's %s (%d bytes) (回执与投标文件不符)",
			r.Receipt.CiphertextDigest, r.Receipt.CiphertextSize, digest, size)
	}
	if pub != nil {
		if err := r.Verify(pub); err != nil {
			return bilingual(err)
		}
	}
	dst, err := createAtomic(f.receipt, true, 0o644)
	if err != nil {
		return err
	}
	if _, err := dst.f.Write(append(raw, '\n')); err != nil {
		dst.abort()
		return err
	}
	if err := dst.commit(); err != nil {
		return err
	}
	removeQuietly(f.state)
	fmt.Fprintf(e.out, "%s\n", raw)
	fmt.Fprintf(e.errOut, "bid %s received at %s, log index %d; receipt saved to %s (回执已保存)\n",
		r.Receipt.BidID, r.Receipt.ReceivedAt().Format(time.RFC3339Nano), r.Receipt.LogIndex, f.receipt)
	return nil
}

// resume continues the upload --state names when it is for the same
// server, section and envelope and still open; otherwise it opens one.
func (c *bidClient) resume(ctx context.Context, stateFile string, want uploadState) (api.UploadView, error) {
	var u api.UploadView
	if raw, err := os.ReadFile(stateFile); err == nil {
		var st uploadState
		if json.Unmarshal(raw, &st) == nil && st.UploadID != "" {
			id := st.UploadID
			st.UploadID = ""
			if st == want && c.do2(ctx, http.MethodGet, "/api/v1/uploads/"+id, &u) == nil && u.Status == "open" {
				return u, nil
			}
		}
	}
	if err := c.do2(ctx, http.MethodPost, fmt.Sprintf("/api/v1/sections/%d/uploads", want.Section), &u); err != nil {
		return u, err
	}
	want.UploadID = u.UploadID
	raw, _ := json.Marshal(want)
	if err := os.WriteFile(stateFile, raw, 0o600); err != nil {
		return u, fmt.Errorf("save the upload state: %w", err)
	}
	return u, nil
}

// send uploads from u.Offset to the end, asking the server where to
// resume after a failure.
func (c *bidClient) send(ctx context.Context, file *os.File, u *api.UploadView, size int64, f bidFlags, bar *progressBar) error {
	failures := 0
	for u.Offset < size {
		bar.update(u.Offset)
		n := min(f.chunkSize, size-u.Offset)
		if u.MaxChunkBytes > 0 {
			n = min(n, u.MaxChunkBytes)
		}
		path := fmt.Sprintf("/api/v1/uploads/%s?offset=%d", u.UploadID, u.Offset)
		_, err := c.do(ctx, http.MethodPut, path, io.NewSectionReader(file, u.Offset, n), n, u)
		if err == nil {
			failures = 0
			continue
		}
		var he *httpError
		retryable := !errors.As(err, &he) || he.status >= 500 || he.code == "wrong_offset"
		if !retryable || ctx.Err() != nil {
			return err
		}
		if failures++; failures > f.retries {
			return fmt.Errorf("giving up after %d attempts; run the command again to resume (再次运行即可续传): %w", failures, err)
		}
		if he == nil || he.status >= 500 {
			select { // back off before asking again
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(failures) * c.backoff()):
			}
		}
		if err := c.do2(ctx, http.MethodGet, "/api/v1/uploads/"+u.UploadID, u); err != nil {
			return err
		}
	}
	return nil
}

// bidClient speaks the platform's upload routes.
type bidClient struct {
	base, token string
	http        *http.Client
	pause       time.Duration // back-off unit after a network failure; 0 means one second
}

func (c *bidClient) backoff() time.Duration {
	if c.pause == 0 {
		return time.Second
	}
	return c.pause
}

func (c *bidClient) do2(ctx context.Context, method, path string, v any) error {
	_, err := c.do(ctx, method, path, nil, -1, v)
	return err
}

// do sends body (size bytes, or none) and decodes a 2xx answer into v
// (when not nil); it returns the raw answer. Other statuses are *httpError.
func (c *bidClient) do(ctx context.Context, method, path string, body io.Reader, size int64, v any) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = size
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		var eb api.ErrorBody
		json.Unmarshal(raw, &eb)
		return nil, &httpError{status: resp.StatusCode, code: eb.Error.Code,
			msg: fmt.Sprintf("%s %s: %s (%d %s)", method, path, eb.Error.Message, resp.StatusCode, eb.Error.Code)}
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			return nil, fmt.Errorf("%s %s: malformed answer: %w", method, path, err)
		}
	}
	return raw, nil
}

// withKeyHint tells a bidder whose organisation registered no key what to
// run; other errors pass unchanged.
func withKeyHint(err error) error {
	var he *httpError
	if errors.As(err, &he) && he.code == "no_registered_key" {
		return fmt.Errorf("%w\nyour organisation has no registered public key: run `tenderhall keys register --pub bidder.pub` "+
			"(or make one in the web app's 投标人工作台), then submit again — the upload resumes (请先登记投标人公钥)", err)
	}
	return err
}
