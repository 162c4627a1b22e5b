package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/sandbox"
)

// player plays a procurement against one server over its HTTP API, as
// each party would: it keeps their tokens and keys, prints each step and
// checks each outcome.
type player struct {
	e                                           *env
	out                                         io.Writer
	http                                        *http.Client
	base                                        string
	adminUser, adminPassword, setupToken        string
	step                                        int
	admin, agent, tenderer, supervisor          *bidClient
	platform                                    *notary.PublicKey
	bidders                                     []*playBidder
	experts                                     []*playExpert
	project, section, draw, session, room, late int64
	deadline, evaluationAt                      time.Time
	candidateBid                                int64
	tag                                         string
	tendererOrg, deptOrg                        int64
	drawn                                       experts.DrawResult
	members                                     []*playExpert
	supervisorUser                              string // the supervisor's username, for a browser to sign in with
	bids                                        []bidding.DecryptedBid
	rejected                                    int64
	pubEnds                                     time.Time
	lateUpload                                  string
	lateSize                                    int
}

// say prints the next step.
func (p *player) say(format string, args ...any) {
	p.step++
	fmt.Fprintf(p.out, "[%02d] %s\n", p.step, fmt.Sprintf(format, args...))
}

// note prints a detail of the current step.
func (p *player) note(format string, args ...any) {
	fmt.Fprintf(p.out, "     %s\n", fmt.Sprintf(format, args...))
}

// expect fails the play unless cond holds.
func expect(cond bool, format string, args ...any) error {
	if cond {
		return nil
	}
	return fmt.Errorf("unexpected outcome (结果不符): "+format, args...)
}

// refused checks that err is the server's refusal with the given code.
func refused(err error, code string) error {
	var he *httpError
	if errors.As(err, &he) && he.code == code {
		return nil
	}
	return fmt.Errorf("expected the refusal %s, got %v", code, err)
}

func (p *player) client(token string) *bidClient {
	return &bidClient{base: p.base, token: token, http: p.http}
}

// login signs a user in and trades the session for a 90-day CLI token, so
// the sandbox's clock jumps do not end it.
func (p *player) login(ctx context.Context, user, password string) (*bidClient, error) {
	var l api.LoginResponse
	if err := p.client("").call(ctx, http.MethodPost, "/api/v1/auth/login", api.LoginRequest{Username: user, Password: password, Kind: "bearer"}, &l); err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", user, err)
	}
	var tok api.TokenResponse
	if err := p.client(l.Token).call(ctx, http.MethodPost, "/api/v1/auth/tokens", api.TokenRequest{Name: "demo play", TTLHours: 24 * 90}, &tok); err != nil {
		return nil, err
	}
	return p.client(tok.Token), nil
}

// advance moves the sandbox clock forward by d and returns the new time.
func (p *player) advance(ctx context.Context, d time.Duration) (time.Time, error) {
	var st sandbox.State
	err := p.admin.call(ctx, http.MethodPost, "/api/v1/sandbox/clock", api.SandboxClockRequest{Advance: d.String()}, &st)
	return st.Now, err
}

// advanceTo moves the sandbox clock to t (when t is ahead).
func (p *player) advanceTo(ctx context.Context, t time.Time) error {
	now, err := p.now(ctx)
	if err != nil || !t.After(now) {
		return err
	}
	var st sandbox.State
	return p.admin.call(ctx, http.MethodPost, "/api/v1/sandbox/clock", api.SandboxClockRequest{To: &t}, &st)
}

func (p *player) now(ctx context.Context) (time.Time, error) {
	var st sandbox.State
	err := p.client("").call(ctx, http.MethodGet, "/api/v1/sandbox", nil, &st)
	return st.Now, err
}

// waitFor polls cond every 200 ms of real time for at most limit: the
// simulated carrier's calls take real seconds.
func waitFor(ctx context.Context, limit time.Duration, what string, cond func() (bool, error)) error {
	end := time.Now().Add(limit)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(end) {
			return fmt.Errorf("%s did not happen within %s", what, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// raw fetches a non-JSON answer (a PDF) with c's token; any status but
// 200 is an error.
func (p *player) raw(ctx context.Context, c *bidClient, path string) ([]byte, error) {
	b, status, err := p.rawAny(ctx, c, path)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("GET %s: %d %s", path, status, b)
	}
	return b, err
}

// rawAny fetches path with c's token whatever the status, for checks of
// what an answer contains.
func (p *player) rawAny(ctx context.Context, c *bidClient, path string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, resp.StatusCode, err
}

// callFrom is c.call with the request forwarded for addr (a reverse proxy
// in front of the server would set it).
func (p *player) callFrom(ctx context.Context, c *bidClient, addr, method, path string, in, out any) error {
	fc := &bidClient{base: c.base, token: c.token, http: &http.Client{Transport: forwardedFor{addr}, Timeout: p.http.Timeout}}
	return fc.call(ctx, method, path, in, out)
}

type forwardedFor struct{ addr string }

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.addr)
	return http.DefaultTransport.RoundTrip(r)
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

// yuanOf shows fen as yuan, whole amounts without decimals.
func yuanOf(fen int64) string { return strings.TrimSuffix(yuanText(fen), ".00") }

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func sm3hex(b []byte) string {
	h := notary.NewSM3()
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func jsonUnmarshalStrict(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("malformed document: %w", err)
	}
	return nil
}
