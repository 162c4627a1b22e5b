package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/notary"
)

// verifyLogCmd audits a platform's transparency log from outside: it trusts
// only the platform public key given to it and what it verified before.
func (e *env) verifyLogCmd() *cobra.Command {
	var server, pubFile, stateFile, token string
	var fromSize uint64
	cmd := &cobra.Command{
		Use:   "log --server URL --platform-pub platform.pub [--token T] [--from-size N] [--state FILE]",
		Short: "Verify the transparency log: every event, signed head and consistency with the last run",
		Long: "Downloads every event of the log, recomputes the leaf hashes and the Merkle tree, checks\n" +
			"every signed tree head (the server's and those seen before) against the recomputed roots\n" +
			"and the platform key, and checks that the log still extends the size verified last time,\n" +
			"both by recomputation and with the server's consistency proof. Any deleted, rewritten,\n" +
			"reordered or inserted event is reported by seq; any problem exits non-zero. The state file\n" +
			"(default: tenderhall/log-state.json in the user's config directory, else\n" +
			"./tenderhall-log-state.json) remembers the verified heads between runs.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e.credentials(&server, &token)
			if server == "" || pubFile == "" {
				return fmt.Errorf("%w: --server and --platform-pub are required", errUsage)
			}
			pub, err := loadPublicKey(pubFile)
			if err != nil {
				return err
			}
			if stateFile == "" {
				stateFile = defaultLogState()
			}
			c := &logClient{base: strings.TrimRight(server, "/"), token: token, http: &http.Client{Timeout: time.Minute}}
			return e.verifyLog(cmd.Context(), c, pub, stateFile, fromSize)
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "base URL of the platform, e.g. https://ggzy.example.gov.cn")
	cmd.Flags().StringVar(&pubFile, "platform-pub", "", "the platform's SM2 public key (PEM), obtained out of band")
	cmd.Flags().Uint64Var(&fromSize, "from-size", 0, "also check that the latest head extends the log of this size")
	cmd.Flags().StringVar(&stateFile, "state", "", "file remembering verified heads between runs")
	cmd.Flags().StringVar(&token, "token", "", "bearer token of an admin or supervisor (or TENDERHALL_TOKEN): event contents are not public")
	return cmd
}

func (e *env) verifyLog(ctx context.Context, c *logClient, pub *notary.PublicKey, stateFile string, fromSize uint64) error {
	st, err := loadLogState(stateFile)
	if err != nil {
		return err
	}
	known := st.Logs[c.base+" "+pub.ID]
	c.askForHead(ctx)
	heads, problems, err := c.heads(ctx)
	if err != nil {
		return err
	}
	if known != nil {
		heads = append(known.Heads, heads...)
	}
	events, err := c.events(ctx)
	if err != nil {
		return err
	}
	a := eventlog.Audit{Events: events, Heads: heads, Key: pub, FromSize: fromSize, Prover: c}
	if known != nil {
		a.Remembered = &known.Latest
	}
	rep := a.Run(ctx)
	rep.Findings = append(problems, rep.Findings...)
	fmt.Fprintf(e.out, "%s: %d events, %d signed heads verified with key %s\n", c.base, rep.Events, rep.Heads, pub.ID[:16])
	if rep.Heads > 0 {
		l := rep.Latest
		fmt.Fprintf(e.out, "latest head: size %d, root %s, signed %s\n", l.TreeSize, l.RootHash,
			time.UnixMilli(l.Timestamp).UTC().Format(time.RFC3339))
	}
	if known != nil {
		fmt.Fprintf(e.out, "consistency checked from size %d verified before\n", known.Latest.TreeSize)
	}
	if rep.Uncovered > 0 {
		fmt.Fprintf(e.out, "%d newer events are not under a signed head yet\n", rep.Uncovered)
	}
	if rep.Withheld > 0 {
		fmt.Fprintf(e.out, "%d events are withheld from this account (secret until their release, or outside its projects): "+
			"their leaf hashes verified against the signed heads, their contents not; run again after the release to check them\n", rep.Withheld)
	}
	for _, f := range rep.Findings {
		fmt.Fprintln(e.out, "PROBLEM", f)
	}
	if n := len(rep.Findings); n > 0 {
		return fmt.Errorf("the transparency log failed verification: %d problem(s)", n)
	}
	st.Logs[c.base+" "+pub.ID] = &logStateEntry{Server: c.base, KeyID: pub.ID, Latest: rep.Latest.TreeHead,
		Heads: uniqueHeads(heads), CheckedAt: time.Now().UTC().Format(time.RFC3339)}
	if err := st.save(stateFile); err != nil {
		return err
	}
	fmt.Fprintln(e.out, "OK: the log is consistent with every signed head; state saved to", stateFile)
	return nil
}

func uniqueHeads(hs []notary.SignedTreeHead) []notary.SignedTreeHead {
	seen := map[string]bool{}
	var out []notary.SignedTreeHead
	for _, h := range hs {
		if k := fmt.Sprintf("%d %s %d %x", h.TreeSize, h.RootHash, h.Timestamp, h.Signature); !seen[k] {
			seen[k] = true
			out = append(out, h)
		}
	}
	return out
}

// logClient reads a platform's public log routes. It is the audit's Prover;
// nothing it returns is trusted before verification.
type logClient struct {
	base  string
	token string // bearer token for the event route
	http  *http.Client
}

func (c *logClient) get(ctx context.Context, path string, v any) error {
	return c.send(ctx, http.MethodGet, path, v)
}

// post sends an empty POST and decodes the answer as get does.
func (c *logClient) post(ctx context.Context, path string, v any) error {
	return c.send(ctx, http.MethodPost, path, v)
}

func (c *logClient) send(ctx context.Context, method, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept-Language", "en")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		var eb api.ErrorBody
		json.Unmarshal(raw, &eb)
		return &httpError{status: resp.StatusCode, code: eb.Error.Code, msg: fmt.Sprintf("%s %s: %s (%d %s)", method, path, eb.Error.Message, resp.StatusCode, eb.Error.Code)}
	}
	if p, ok := v.(*[]byte); ok {
		*p = raw
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("GET %s: malformed answer: %w", path, err)
	}
	return nil
}

type httpError struct {
	status int
	code   string
	msg    string
}

// Error returns the route, the server's message, status and code.
func (e *httpError) Error() string { return e.msg }

// InclusionProof fetches and parses a proof; Audit verifies it.
func (c *logClient) InclusionProof(ctx context.Context, seq, size uint64) (notary.InclusionProof, error) {
	var raw []byte
	if err := c.get(ctx, fmt.Sprintf("/api/v1/log/proof/inclusion?seq=%d&size=%d", seq, size), &raw); err != nil {
		return notary.InclusionProof{}, err
	}
	return notary.ParseInclusionProof(raw)
}

// ConsistencyProof fetches and parses a proof; Audit verifies it.
func (c *logClient) ConsistencyProof(ctx context.Context, first, second uint64) (notary.ConsistencyProof, error) {
	var raw []byte
	if err := c.get(ctx, fmt.Sprintf("/api/v1/log/proof/consistency?first=%d&second=%d", first, second), &raw); err != nil {
		return notary.ConsistencyProof{}, err
	}
	return notary.ParseConsistencyProof(raw)
}

// heads downloads every signed head and the latest one. A head that does
// not parse is a finding, not a failure of the run.
func (c *logClient) heads(ctx context.Context) ([]notary.SignedTreeHead, []eventlog.Finding, error) {
	var out []notary.SignedTreeHead
	var bad []eventlog.Finding
	parse := func(raw []byte) {
		h, err := notary.ParseSignedTreeHead(raw)
		if err != nil {
			bad = append(bad, eventlog.Finding{Kind: eventlog.FindHead, Detail: fmt.Sprintf("the server sent a malformed head %.200s: %v", raw, err)})
			return
		}
		out = append(out, h)
	}
	for from := int64(1); ; {
		var page struct {
			Heads []json.RawMessage `json:"heads"`
			Next  int64             `json:"next"`
		}
		if err := c.get(ctx, fmt.Sprintf("/api/v1/log/heads?from=%d&limit=%d", from, eventlog.MaxPage), &page); err != nil {
			return nil, nil, err
		}
		for _, raw := range page.Heads {
			parse(raw)
		}
		if len(page.Heads) == 0 || page.Next <= from {
			break
		}
		from = page.Next
	}
	var latest []byte
	var he *httpError
	if err := c.get(ctx, "/api/v1/log/head", &latest); err != nil && !(errors.As(err, &he) && he.code == "no_tree_head") {
		return nil, nil, err
	} else if err == nil {
		parse(latest)
	}
	return out, bad, nil
}

// askForHead asks the server, with the verifier's token, for a head of
// the whole log (POST /api/v1/log/heads signs one only when the latest is
// older than the log), so that a fresh server or a grown log is covered.
// Without a token, or when refused, the heads already signed are used.
func (c *logClient) askForHead(ctx context.Context) {
	if c.token == "" {
		return
	}
	var h json.RawMessage
	_ = c.post(ctx, "/api/v1/log/heads", &h)
}

// events downloads the whole log, page by page, in the order served.
func (c *logClient) events(ctx context.Context) ([]eventlog.Event, error) {
	var out []eventlog.Event
	for from := uint64(1); ; {
		var page api.LogEventPage
		if err := c.get(ctx, fmt.Sprintf("/api/v1/log/events?from=%d&limit=%d", from, eventlog.MaxPage), &page); err != nil {
			return nil, err
		}
		out = append(out, page.Events...)
		if len(page.Events) == 0 || page.Next <= from {
			return out, nil
		}
		from = page.Next
	}
}

// logState is the verifier's memory between runs, one entry per server
// and platform key.
type logState struct {
	Version int                       `json:"version"`
	Logs    map[string]*logStateEntry `json:"logs"`
}

type logStateEntry struct {
	Server    string                  `json:"server"`
	KeyID     string                  `json:"keyId"`
	Latest    notary.TreeHead         `json:"latest"` // the largest head verified
	Heads     []notary.SignedTreeHead `json:"heads"`  // every head verified, checked again each run
	CheckedAt string                  `json:"checkedAt"`
}

func defaultLogState() string {
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "tenderhall", "log-state.json")
	}
	return "tenderhall-log-state.json"
}

func loadLogState(path string) (*logState, error) {
	st := &logState{Version: 1, Logs: map[string]*logStateEntry{}}
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the state file: %w", err)
	}
	if err := json.Unmarshal(raw, st); err != nil || st.Version != 1 || st.Logs == nil {
		return nil, fmt.Errorf("the state file %s is damaged (%v); move it away to start afresh, losing the remembered heads", path, err)
	}
	return st, nil
}

// save writes the state through a temporary file and a rename, so that an
// interrupted run never leaves half a state file.
func (st *logState) save(path string) error {
	raw, _ := json.MarshalIndent(st, "", "  ")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create the state directory: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("write the state file: %w", err)
	}
	return os.Rename(tmp, path)
}
