package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

const openingKeyPW = "Bidder-key-2026"

var openingDeadline = time.Date(2026, 11, 23, 1, 30, 0, 0, time.UTC)

// openingEnv is a platform over HTTP with one announced section and its bidders.
type openingEnv struct {
	ctx           context.Context
	clk           *clock.Fake
	queue         *openingQueue
	tree          *eventlog.Tree
	platform      *notary.PrivateKey
	url, dir, pub string
	admin, host   string // bearer tokens
	sec           bidding.Section
	bidders       []*openingBidder
	holders       []*openingHolder // escrow share holders (supervisors)
	escrowPub     string           // the section's escrow public key file
}

// openingHolder is a supervisor holding an escrow share.
type openingHolder struct {
	token, keyFile string
}

type openingBidder struct {
	org                   int64
	token                 string
	key                   *notary.PrivateKey
	keyFile, env, receipt string
	priceFen              int64
}

// openingOpts varies the environment: a section with a k-of-n escrow key
// among n supervisors granted on the project.
type openingOpts struct{ escrowK, escrowN int }

func newOpeningEnv(t *testing.T, n int, options ...openingOpts) *openingEnv {
	t.Helper()
	var o openingOpts
	if len(options) > 0 {
		o = options[0]
	}
	ctx := context.Background()
	db := storagetest.Open(t, dbtest.SQLite)
	clk := clock.NewFake(time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC))
	events := eventlog.New(db, clk)
	fields, _ := notary.NewFieldCipher(make([]byte, notary.FieldKeySize))
	opts := accounts.DefaultOptions()
	opts.Argon2 = accounts.Argon2Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1}
	opts.BearerLoginTTL = 60 * 24 * time.Hour // the test's clock jumps three weeks to the deadline
	acc := accounts.New(db, events, clk, fields, opts)
	blobs, err := storage.NewFS(t.TempDir(), storage.PresignConfig{})
	must(t, err)
	platform, _ := notary.GenerateKey()
	e := &openingEnv{ctx: ctx, clk: clk, tree: events.Tree(platform), platform: platform, dir: t.TempDir(),
		queue: newOpeningQueue(clk)}
	svc := bidding.New(db, events, clk, nil, nil)
	svc.SetBlobs(blobs)
	svc.SetPlatformKey(platform)
	svc.SetFieldCipher(fields)
	svc.Register(e.queue)
	svc.RegisterUploads(e.queue)
	srv := httptest.NewServer(api.New(api.Deps{Clock: clk, Accounts: acc, Events: events, Tree: e.tree, Blobs: blobs, Bidding: svc,
		Version: "test", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	t.Cleanup(srv.Close)
	e.url, e.pub = srv.URL, filepath.Join(e.dir, "platform.pub")
	must(t, os.WriteFile(e.pub, []byte(platform.Public().PEM), 0o644))

	const pw = "Bidder-pass-2026"
	setup, _ := acc.CreateSetupToken(ctx, time.Hour)
	_, err = acc.CompleteSetup(ctx, setup, "root-admin", "管理员", pw)
	must(t, err)
	admin, err := acc.Login(ctx, accounts.LoginRequest{Username: "root-admin", Password: pw, Kind: accounts.KindBearer})
	must(t, err)
	e.admin = admin.Token
	user := func(name string, kind accounts.OrgKind, uscc string, role accounts.Role) (int64, accounts.LoginResult) {
		o, err := acc.CreateOrg(ctx, admin.Principal, accounts.NewOrg{Kind: kind, Name: "单位" + name, USCC: uscc, Region: "350100"})
		must(t, err)
		_, err = acc.CreateUser(ctx, admin.Principal, accounts.NewUser{Username: name, DisplayName: name, Password: pw, OrgID: o.ID, Roles: []accounts.Role{role}})
		must(t, err)
		l, err := acc.Login(ctx, accounts.LoginRequest{Username: name, Password: pw, Kind: accounts.KindBearer})
		must(t, err)
		return o.ID, l
	}
	_, host := user("host", accounts.OrgAgency, validUSCC(t, "9135010000000000A"), accounts.RoleAgent)
	tenderer, _ := user("tenderer", accounts.OrgTenderer, validUSCC(t, "9135010000000001X"), accounts.RoleAgent)
	e.host = host.Token
	p, err := svc.CreateProject(ctx, host.Principal, bidding.NewProject{Name: "开标项目", TendererOrgID: tenderer})
	must(t, err)
	e.sec, err = svc.CreateSection(ctx, host.Principal, p.ID, bidding.NewSection{Code: "B010101", Name: "货物", Kind: bidding.Goods,
		BudgetFen: 1 << 40, Rulebook: bidding.RulebookProcurement, Prequalification: true, EscrowThreshold: o.escrowK, EscrowHolders: o.escrowN})
	must(t, err)
	for i := 0; i < o.escrowN; i++ {
		_, l := user(fmt.Sprintf("supervisor%d", i), accounts.OrgDepartment, "", accounts.RoleSupervisor)
		must(t, acc.GrantProject(ctx, admin.Principal, l.Principal.UserID, bidding.ProjectGrantID(p.ID), accounts.RoleSupervisor))
		e.holders = append(e.holders, e.newHolder(t, i, l.Token))
	}
	tAgent := accounts.Principal{UserID: 91, OrgID: tenderer, OrgKind: accounts.OrgTenderer, Roles: []accounts.Role{accounts.RoleAgent}}
	now := clk.Now()
	_, err = svc.SaveAnnouncement(ctx, host.Principal, e.sec.ID, bidding.AnnouncementInput{Title: "公告", Body: "正文", DocsFrom: now,
		DocsUntil: now.AddDate(0, 0, 7), Deadline: openingDeadline})
	must(t, err)
	_, err = svc.ApproveAnnouncement(ctx, tAgent, e.sec.ID)
	must(t, err)
	_, err = svc.PublishAnnouncement(ctx, host.Principal, e.sec.ID)
	must(t, err)

	if o.escrowK > 0 {
		var k bidding.EscrowKey
		e.call(t, "GET", "/api/v1/public/sections/"+e.secID()+"/escrow", "", nil, 200, &k)
		e.escrowPub = filepath.Join(e.dir, "escrow.pub")
		must(t, os.WriteFile(e.escrowPub, []byte(k.PublicKey), 0o644))
	}
	for i := 0; i < n; i++ {
		b := &openingBidder{priceFen: 98765400 + int64(i)*1111}
		var l accounts.LoginResult
		b.org, l = user(fmt.Sprintf("bidder%d", i), accounts.OrgBidder, validUSCC(t, fmt.Sprintf("91350100MA%07d", 100+i)), accounts.RoleBidder)
		b.token = l.Token
		b.key, _ = notary.GenerateKey()
		_, err = acc.SetOrgPublicKey(ctx, admin.Principal, b.org, b.key.Public().PEM)
		must(t, err)
		e.seal(t, i, b, p.ID)
		e.bidders = append(e.bidders, b)
	}
	return e
}

// seal writes the bidder's key files, packs and seals its bid with the CLI.
func (e *openingEnv) seal(t *testing.T, i int, b *openingBidder, projectID int64) {
	t.Helper()
	d := filepath.Join(e.dir, fmt.Sprint("bidder", i))
	must(t, os.Mkdir(d, 0o700))
	pemKey, err := b.key.MarshalPEM([]byte(openingKeyPW))
	must(t, err)
	b.keyFile, b.env, b.receipt = filepath.Join(d, "bidder.key"), filepath.Join(d, "bid.the"), filepath.Join(d, "bid.the.receipt.json")
	must(t, os.WriteFile(b.keyFile, pemKey, 0o600))
	must(t, os.WriteFile(filepath.Join(d, "bidder.pub"), []byte(b.key.Public().PEM), 0o644))
	form := fmt.Sprintf(`{"priceFen": %d, "durationDays": %d, "quality": "合格", "commitments": {"warranty": "2 years"}}`, b.priceFen, 90+i)
	must(t, os.WriteFile(filepath.Join(d, "form.json"), []byte(form), 0o644))
	must(t, os.WriteFile(filepath.Join(d, "technical.txt"), []byte(strings.Repeat("技术标。", 4000)), 0o644))
	e.cli(t, nil, "bid", "pack", "--form", filepath.Join(d, "form.json"), "--out", filepath.Join(d, "bid.tar"), filepath.Join(d, "technical.txt"))
	to := []string{"--to", filepath.Join(d, "bidder.pub")}
	if e.escrowPub != "" {
		to = append(to, "--to", e.escrowPub)
	}
	e.cli(t, nil, append(append([]string{"seal", "--key", b.keyFile}, to...), "--project", strconv.FormatInt(projectID, 10),
		"--section", e.secID(), "--bidder", strconv.FormatInt(b.org, 10), "--schema", bidding.BidFormSchema,
		"--in", filepath.Join(d, "bid.tar"), "--out", b.env, "--chunk-size", "4096")...)
}

// newHolder gives supervisor i a personal key, registered with the CLI.
func (e *openingEnv) newHolder(t *testing.T, i int, token string) *openingHolder {
	t.Helper()
	k, err := notary.GenerateKey()
	must(t, err)
	pemKey, err := k.MarshalPEM([]byte(openingKeyPW))
	must(t, err)
	h := &openingHolder{token: token, keyFile: filepath.Join(e.dir, fmt.Sprintf("holder%d.key", i))}
	pub := filepath.Join(e.dir, fmt.Sprintf("holder%d.pub", i))
	must(t, os.WriteFile(h.keyFile, pemKey, 0o600))
	must(t, os.WriteFile(pub, []byte(k.Public().PEM), 0o644))
	e.cli(t, map[string]string{"TENDERHALL_TOKEN": token}, "escrow", "register", "--server", e.url, "--pub", pub)
	return h
}

func (e *openingEnv) secID() string { return strconv.FormatInt(e.sec.ID, 10) }

// cli runs a command that must succeed; runCLI one that may fail.
func (e *openingEnv) cli(t *testing.T, vars map[string]string, args ...string) string {
	t.Helper()
	out, errOut, err := e.runCLI(t, vars, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
	}
	return out
}

func (e *openingEnv) runCLI(t *testing.T, vars map[string]string, args ...string) (string, string, error) {
	t.Helper()
	all := map[string]string{passwordEnv: openingKeyPW}
	for k, v := range vars {
		all[k] = v
	}
	return executeBid(t, all, args...)
}

// decrypt runs `tenderhall bid decrypt` for bidder b with key file keyFile.
func (e *openingEnv) decrypt(t *testing.T, b *openingBidder, keyFile string) (string, error) {
	t.Helper()
	out, errOut, err := e.runCLI(t, map[string]string{"TENDERHALL_TOKEN": b.token}, "bid", "decrypt", "--server", e.url,
		"--section", e.secID(), "--key", keyFile, "--in", b.env)
	return out + errOut, err
}

// call sends a request (JSON, or raw bytes) and decodes the answer, which must have status want.
func (e *openingEnv) call(t *testing.T, method, path, token string, in any, want int, out any) http.Header {
	t.Helper()
	var body io.Reader
	ct := "application/json"
	if raw, ok := in.([]byte); ok {
		body, ct = bytes.NewReader(raw), "application/octet-stream"
	} else if in != nil {
		raw, _ := json.Marshal(in)
		body = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, e.url+path, body)
	req.Header.Set("Content-Type", ct)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, raw, want)
	}
	if p, ok := out.(*[]byte); ok {
		*p = raw
	} else if out != nil {
		must(t, json.Unmarshal(raw, out))
	}
	return resp.Header
}

// submit uploads a bidder's envelope through the HTTP upload routes.
func (e *openingEnv) submit(t *testing.T, b *openingBidder) {
	t.Helper()
	env, err := os.ReadFile(b.env)
	must(t, err)
	var u api.UploadView
	e.call(t, "POST", "/api/v1/sections/"+e.secID()+"/uploads", b.token, nil, 201, &u)
	e.call(t, "PUT", "/api/v1/uploads/"+u.UploadID+"?offset=0", b.token, env, 200, nil)
	e.call(t, "POST", fmt.Sprintf("/api/v1/uploads/%s/finalize?size=%d", u.UploadID, len(env)), b.token, nil, 201, nil)
}

// signIn checks a bidder in over HTTP; decryptHTTP hands over its data key.
func (e *openingEnv) signIn(t *testing.T, b *openingBidder) {
	t.Helper()
	var ch bidding.Challenge
	e.call(t, "POST", "/api/v1/sections/"+e.secID()+"/room/challenge", b.token, nil, 201, &ch)
	sig, err := b.key.Sign(bidding.SignInMessage(e.sec.ID, ch.Nonce))
	must(t, err)
	e.call(t, "POST", "/api/v1/sections/"+e.secID()+"/room/signin", b.token,
		api.SignInRequest{ChallengeID: ch.ID, Signature: base64.StdEncoding.EncodeToString(sig)}, 201, nil)
}

func (e *openingEnv) decryptHTTP(t *testing.T, b *openingBidder) {
	t.Helper()
	var ob bidding.OpenedBid
	e.call(t, "POST", "/api/v1/sections/"+e.secID()+"/room/decrypt", b.token, api.DecryptRequest{DEK: e.dek(t, b)}, 200, &ob)
	if ob.Status != bidding.OpeningDecrypted {
		t.Fatalf("org %d: %+v", b.org, ob)
	}
}

// dek unwraps a bidder's data key from its envelope, as its own client would.
func (e *openingEnv) dek(t *testing.T, b *openingBidder) string {
	t.Helper()
	raw, err := os.ReadFile(b.env)
	must(t, err)
	h, err := notary.ParseHeader(bytes.NewReader(raw))
	must(t, err)
	dek, err := notary.UnwrapDEK(h, b.key)
	must(t, err)
	return hex.EncodeToString(dek)
}

// record fetches the public opening record and verifies its signature.
func (e *openingEnv) record(t *testing.T) bidding.OpeningRecord {
	t.Helper()
	var signed bidding.SignedRecord
	e.call(t, "GET", "/api/v1/sections/"+e.secID()+"/opening-record?format=json", "", nil, 200, &signed)
	rec, err := signed.Verify(e.platform.Public())
	must(t, err)
	return rec
}

func (e *openingEnv) bidderIndex(org int64) int {
	for i, b := range e.bidders {
		if b.org == org {
			return i
		}
	}
	return -1
}

func (e *openingEnv) room(t *testing.T) bidding.RoomView {
	t.Helper()
	var v bidding.RoomView
	e.call(t, "GET", "/api/v1/sections/"+e.secID()+"/room", e.admin, nil, 200, &v)
	return v
}

// wantCLIError checks a failed command: non-zero exit and the code named.
func wantCLIError(t *testing.T, what, out string, err error, code string) {
	t.Helper()
	if err == nil || exitCode(err) == 0 || !strings.Contains(err.Error(), "["+code+"]") {
		t.Fatalf("%s: err %v (exit %d), want [%s]\n%s", what, err, exitCode(err), code, out)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// passDeadline moves the clock to the deadline, where the close task runs
// and waits (the room says closing), then ArrivalGrace on, where its
// re-check closes bidding and opens the room.
func (e *openingEnv) passDeadline(t *testing.T) {
	t.Helper()
	e.clk.Set(openingDeadline)
	if ran := e.queue.runDue(t); len(ran) != 1 || !strings.HasPrefix(ran[0], "close:") {
		t.Fatalf("at the deadline the jobs ran %v, want the close task", ran)
	}
	if v := e.room(t); v.Phase != bidding.PhaseClosing {
		t.Fatalf("room at the deadline: %s, want closing", v.Phase)
	}
	e.clk.Set(openingDeadline.Add(bidding.ArrivalGrace))
	if ran := e.queue.runDue(t); len(ran) != 1 || !strings.HasPrefix(ran[0], "close:") {
		t.Fatalf("ArrivalGrace after the deadline the jobs ran %v, want the close's re-check", ran)
	}
}
