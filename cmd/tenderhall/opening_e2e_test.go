package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/jobs"
)

// TestOpeningEndToEnd runs a whole opening over HTTP (issue 5): five
// bidders pack, seal and submit; the deadline job opens the room by
// itself; four decrypt (one with `tenderhall bid decrypt`), one checks in
// but does not and is revoked by the window job; an objection is raised,
// answered and the room closed; the signed record, its PDF, a receipt and
// the transparency log all verify. The CLI's refusals are checked on the way.
func TestOpeningEndToEnd(t *testing.T) {
	t.Parallel() // see TestBidSubmitAgainstThePlatform
	e := newOpeningEnv(t, 5)
	b := e.bidders
	e.cli(t, map[string]string{"TENDERHALL_TOKEN": b[0].token}, "bid", "submit", "--server", e.url, "--section", e.secID(),
		"--in", b[0].env, "--chunk-size", "4096", "--platform-pub", e.pub)
	for _, x := range b[1:] {
		e.submit(t, x)
	}

	// Before the deadline (and before check-in opens) nothing decrypts.
	out, err := e.decrypt(t, b[0], b[0].keyFile)
	wantCLIError(t, "decrypt before the deadline", out, err, "wrong_phase")
	if !strings.Contains(err.Error(), "解密尚未开始") || strings.Contains(out, "checked in") {
		t.Fatalf("before the deadline: %v\n%s", err, out)
	}
	e.clk.Set(openingDeadline.Add(-10 * time.Minute))
	e.signIn(t, b[4]) // checks in, never decrypts
	e.call(t, "POST", "/api/v1/sections/"+e.secID()+"/room/join", e.host, nil, 201, nil)
	if ran := e.queue.runDue(t); len(ran) != 0 {
		t.Fatalf("jobs ran before the deadline: %v", ran)
	}

	// The deadline passes: the close job opens the room by itself, once
	// ArrivalGrace has let the finalizes that arrived in time register.
	e.passDeadline(t)
	v := e.room(t)
	if v.State != bidding.StateOpening || v.Phase != bidding.PhaseDecrypting || v.BidCount != 5 || v.WindowEndsAt == nil {
		t.Fatalf("room after the deadline: %+v", v)
	}

	out, err = e.decrypt(t, b[1], b[2].keyFile) // another organisation's key file
	wantCLIError(t, "a wrong key file", out, err, "wrong_key")
	out, err = e.decrypt(t, b[0], b[0].keyFile)
	if key, _ := os.ReadFile(b[0].keyFile); strings.Contains(out, e.dek(t, b[0])) || strings.Contains(out, string(key)) {
		t.Fatalf("the CLI printed key material:\n%s", out)
	}
	if err != nil || !strings.Contains(out, "checked in") || !strings.Contains(out, "decrypted (投标文件解密状态：已解密)") ||
		!strings.Contains(out, "密钥承诺本地校验通过") {
		t.Fatalf("decrypt with the CLI: %v\n%s", err, out)
	}
	for _, x := range b[1:4] {
		e.signIn(t, x)
		e.decryptHTTP(t, x)
	}
	out, err = e.decrypt(t, b[0], b[0].keyFile)
	wantCLIError(t, "a second decryption", out, err, "already_decrypted")

	// The window ends: its job revokes the bid not decrypted and publishes.
	e.clk.Set(*v.WindowEndsAt)
	if ran := e.queue.runDue(t); len(ran) != 1 || ran[0] != bidding.WindowTaskID(e.sec.ID) {
		t.Fatalf("at the window's end the jobs ran %v", ran)
	}
	out, err = e.decrypt(t, b[4], b[4].keyFile)
	wantCLIError(t, "decrypt after the window", out, err, "window_closed")
	v = e.room(t)
	if v.State != bidding.StateOpened || v.Phase != bidding.PhaseResults || len(v.Results) != 5 {
		t.Fatalf("room after the window: %+v", v)
	}

	// Objections: opened by the host, raised by a bidder, answered; close.
	e.call(t, "POST", "/api/v1/sections/"+e.secID()+"/room/objection-phase", e.host, nil, 200, nil)
	var o bidding.RoomObjection
	e.call(t, "POST", "/api/v1/sections/"+e.secID()+"/room/objections", b[2].token, map[string]string{"text": "对第一名报价有异议"}, 201, &o)
	e.call(t, "POST", "/api/v1/room-objections/"+strconv.FormatInt(o.ID, 10)+"/answer", e.host, map[string]string{"text": "经核实，以开标记录为准。"}, 200, nil)
	e.call(t, "POST", "/api/v1/sections/"+e.secID()+"/room/close", e.host, nil, 200, nil)

	rec := e.record(t)
	if len(rec.Bids) != 5 || len(rec.Objections) != 1 || rec.Objections[0].Answer == nil {
		t.Fatalf("record: %+v", rec)
	}
	for _, r := range rec.Bids {
		i := e.bidderIndex(r.BidderOrgID)
		if i == 4 && (r.Status != bidding.OpeningRevoked || r.PriceFen != nil) ||
			i < 4 && (r.Status != bidding.OpeningDecrypted || r.PriceFen == nil || *r.PriceFen != b[i].priceFen) {
			t.Fatalf("record row of bidder %d: %+v", i, r)
		}
	}
	var pdf []byte
	h := e.call(t, "GET", "/api/v1/sections/"+e.secID()+"/opening-record?format=pdf", "", nil, 200, &pdf)
	if h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("record PDF: %q %.8q", h.Get("Content-Type"), pdf)
	}

	// The bidder's receipt and the platform's log verify offline.
	if out := e.cli(t, nil, "verify", "receipt", b[0].receipt, "--platform-pub", e.pub); !strings.Contains(out, e.secID()) {
		t.Fatalf("verify receipt:\n%s", out)
	}
	if _, err := e.tree.SignHead(e.ctx); err != nil {
		t.Fatal(err)
	}
	out = e.cli(t, map[string]string{"TENDERHALL_TOKEN": e.admin}, "verify", "log", "--server", e.url, "--platform-pub", e.pub,
		"--state", filepath.Join(e.dir, "log-state.json"))
	if !strings.Contains(out, "OK:") {
		t.Fatalf("verify log:\n%s", out)
	}
}

// TestOpeningFailsWithTwoBids: with two bids the deadline job fails the
// section (流标) and no room opens; decryption is refused precisely.
func TestOpeningFailsWithTwoBids(t *testing.T) {
	t.Parallel() // see TestBidSubmitAgainstThePlatform
	e := newOpeningEnv(t, 2)
	for _, x := range e.bidders {
		e.submit(t, x)
	}
	e.passDeadline(t)
	v := e.room(t)
	if v.State != bidding.StateFailed || !strings.Contains(v.FailReason, "fewer than 3") || v.WindowEndsAt != nil || v.BidCount != 2 {
		t.Fatalf("room with two bids: %+v", v)
	}
	// The room and the count route agree, and the public announcement says why it failed.
	var count api.BidCountView
	e.call(t, "GET", "/api/v1/sections/"+e.secID()+"/bids/count", e.host, nil, 200, &count)
	if count.Count != int64(v.BidCount) {
		t.Fatalf("the count route says %d, the room %d", count.Count, v.BidCount)
	}
	var page bidding.AnnouncementPage
	e.call(t, "GET", "/api/v1/public/announcements", "", nil, 200, &page)
	if len(page.Items) != 1 || page.Items[0].State != bidding.StateFailed || !strings.Contains(page.Items[0].FailReason, "fewer than 3") {
		t.Fatalf("the public listing shows %+v", page.Items)
	}
	var detail bidding.PublicDetail
	e.call(t, "GET", "/api/v1/public/announcements/"+strconv.FormatInt(page.Items[0].ID, 10), "", nil, 200, &detail)
	if !strings.Contains(detail.FailReason, "少于 3 个") {
		t.Fatalf("the public announcement says %q about the failure", detail.FailReason)
	}
	out, err := e.decrypt(t, e.bidders[0], e.bidders[0].keyFile)
	wantCLIError(t, "decrypt in a failed section", out, err, "wrong_phase")
	if !strings.Contains(err.Error(), "流标") {
		t.Fatalf("the refusal does not say the section failed: %v", err)
	}
}

// TestBidPackRefusesBadForms: each bad form.json is refused with the problem named.
func TestBidPackRefusesBadForms(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, c := range map[string]struct{ form, want string }{
		"no price":      {`{"durationDays": 30}`, "priceFen"},
		"zero duration": {`{"priceFen": 100, "durationDays": 0}`, "durationDays"},
		"unknown field": {`{"priceFen": 100, "durationDays": 3, "price": 1}`, `unknown field "price"`},
		"price as text": {`{"priceFen": "100", "durationDays": 3}`, `field "priceFen" must be int64`},
		"not JSON":      {`priceFen=100`, "syntax error"},
		"two values":    {`{"priceFen": 100, "durationDays": 3} {}`, "more than one"},
	} {
		form := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		os.WriteFile(form, []byte(c.form), 0o644)
		_, _, err := executeBid(t, nil, "bid", "pack", "--form", form, "--out", filepath.Join(dir, "x.tar"))
		if err == nil || exitCode(err) == 0 || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "投标函") {
			t.Errorf("%s: %v, want it to name %s", name, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.tar")); !os.IsNotExist(err) {
		t.Fatalf("a refused form left a package: %v", err)
	}
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"priceFen": 100, "durationDays": 3}`), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "good.json"), []byte("{}"), 0o644)
	_, _, err := executeBid(t, nil, "bid", "pack", "--form", good, "--out", filepath.Join(dir, "y.tar"), good, filepath.Join(dir, "sub", "good.json"))
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "文件名重复") {
		t.Fatalf("packing two files of one name: %v", err)
	}
	raw, _ := json.Marshal(bidding.BidForm{PriceFen: 100, DurationDays: 3})
	os.WriteFile(filepath.Join(dir, bidding.BidFormName), raw, 0o644)
	_, _, err = executeBid(t, nil, "bid", "pack", "--form", good, "--out", filepath.Join(dir, "y.tar"), filepath.Join(dir, bidding.BidFormName))
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "reserved") {
		t.Fatalf("packing a second bidform.json: %v", err)
	}
}

// openingQueue is a jobs.Queue the test drives by the fake clock: runDue
// runs the registered handlers of the tasks that are due, as a worker would.
type openingQueue struct {
	mu       sync.Mutex
	clock    clock.Clock
	tasks    map[string]jobs.Task
	done     map[string]bool
	handlers map[string]jobs.Handler
}

func newOpeningQueue(clk clock.Clock) *openingQueue {
	return &openingQueue{clock: clk, tasks: map[string]jobs.Task{}, done: map[string]bool{}, handlers: map[string]jobs.Handler{}}
}

func (q *openingQueue) Enqueue(_ context.Context, t jobs.Task) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, dup := q.tasks[t.ID]; dup {
		return false, nil
	}
	q.tasks[t.ID] = t
	return true, nil
}
func (q *openingQueue) Status(context.Context, string) (jobs.State, error) { return jobs.Pending, nil }
func (q *openingQueue) Handle(typ string, h jobs.Handler)                  { q.handlers[typ] = h }
func (q *openingQueue) Every(string, time.Duration, jobs.Task)             {}
func (q *openingQueue) Run(context.Context) error                          { return nil }
func (q *openingQueue) Ping(context.Context) error                         { return nil }
func (q *openingQueue) Close() error                                       { return nil }

func (q *openingQueue) runDue(t *testing.T) (ran []string) {
	t.Helper()
	q.mu.Lock()
	var due []jobs.Task
	for id, task := range q.tasks {
		if !q.done[id] && !q.clock.Now().Before(task.RunAt) {
			due = append(due, task)
		}
	}
	q.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].RunAt.Before(due[j].RunAt) })
	for _, task := range due {
		if err := q.handlers[task.Type](context.Background(), task); err != nil {
			t.Logf("task %s: %v (retried later)", task.ID, err)
			continue
		}
		q.mu.Lock()
		q.done[task.ID] = true
		q.mu.Unlock()
		ran = append(ran, task.ID)
	}
	return ran
}

// TestBidDecryptUsage: missing flags and an envelope of another section
// are usage errors, found before any key is asked for or request sent.
func TestBidDecryptUsage(t *testing.T) {
	t.Parallel()
	p, _ := newFakePlatform(t)
	_, env, _ := bidFiles(t, p) // sealed for section 7
	for name, args := range map[string][]string{
		"no token":      {"--server", "http://127.0.0.1:1", "--section", "7", "--key", "k", "--in", env},
		"no in":         {"--server", "http://127.0.0.1:1", "--section", "7", "--key", "k", "--token", "t"},
		"other section": {"--server", "http://127.0.0.1:1", "--section", "8", "--key", "k", "--in", env, "--token", "t"},
	} {
		_, _, err := executeBid(t, nil, append([]string{"bid", "decrypt"}, args...)...)
		if exitCode(err) != 2 {
			t.Errorf("%s: %v (exit %d), want a usage error", name, err, exitCode(err))
		}
	}
}
