package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// Test periods: ticks every 50 ms, heartbeats every 200 ms. Waits are
// bounded by streamWait, never slept.
const (
	testTick      = 50 * time.Millisecond
	testHeartbeat = 200 * time.Millisecond
	streamWait    = 20 * time.Second
)

// sseEvent is one event read from a stream.
type sseEvent struct {
	ID, Event, Data string
}

// sseStream reads a room stream in the background.
type sseStream struct {
	t      *testing.T
	resp   *http.Response
	events chan sseEvent
	beats  chan struct{}
	stop   chan struct{}

	mu   sync.Mutex
	raw  bytes.Buffer
	msgs []sseEvent // every event but ticks, in order
}

// openStream connects to a room stream and checks the response headers.
func openStream(t *testing.T, base, path, token string, headers ...string) *sseStream {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	s := &sseStream{t: t, resp: resp, events: make(chan sseEvent, 4096), beats: make(chan struct{}, 4096), stop: make(chan struct{})}
	t.Cleanup(func() { close(s.stop); resp.Body.Close() })
	wantStatus(t, resp, http.StatusOK)
	for k, v := range map[string]string{"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache",
		"X-Accel-Buffering": "no", "Connection": "keep-alive"} {
		if got := resp.Header.Get(k); got != v {
			t.Fatalf("header %s: %q, want %q", k, got, v)
		}
	}
	go s.read()
	return s
}

func (s *sseStream) read() {
	sc := bufio.NewScanner(s.resp.Body)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		s.mu.Lock()
		s.raw.WriteString(line + "\n")
		s.mu.Unlock()
		switch {
		case line == "":
			if ev.Event == "" && ev.Data == "" {
				continue
			}
			if ev.Event != "tick" {
				s.mu.Lock()
				s.msgs = append(s.msgs, ev)
				s.mu.Unlock()
			}
			select {
			case s.events <- ev:
			case <-s.stop:
				return
			}
			ev = sseEvent{}
		case line == ": heartbeat":
			select {
			case s.beats <- struct{}{}:
			default:
			}
		case strings.HasPrefix(line, "id: "):
			ev.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.Event = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.Data = line[6:]
		}
	}
}

// next returns the next event that satisfies ok, failing after streamWait.
func (s *sseStream) next(what string, ok func(sseEvent) bool) sseEvent {
	s.t.Helper()
	deadline := time.NewTimer(streamWait)
	defer deadline.Stop()
	for {
		select {
		case ev := <-s.events:
			if ok(ev) {
				return ev
			}
		case <-deadline.C:
			s.t.Fatalf("no %s within %s; stream so far:\n%s", what, streamWait, s.rawString())
		}
	}
}

// tick returns the next tick that satisfies ok.
func (s *sseStream) tick(what string, ok func(roomTickData) bool) roomTickData {
	s.t.Helper()
	var d roomTickData
	s.next("tick with "+what, func(ev sseEvent) bool {
		if ev.Event != "tick" {
			return false
		}
		d = roomTickData{}
		if err := json.Unmarshal([]byte(ev.Data), &d); err != nil {
			s.t.Fatalf("tick %q: %v", ev.Data, err)
		}
		return ok(d)
	})
	return d
}

// message returns the next room message of type typ.
func (s *sseStream) message(typ string) (int64, bidding.RoomMessage) {
	s.t.Helper()
	ev := s.next(typ, func(ev sseEvent) bool { return ev.Event == typ })
	var m bidding.RoomMessage
	if err := json.Unmarshal([]byte(ev.Data), &m); err != nil {
		s.t.Fatalf("message %q: %v", ev.Data, err)
	}
	id, err := strconv.ParseInt(ev.ID, 10, 64)
	if err != nil || id != m.Seq {
		s.t.Fatalf("message id %q, seq %d", ev.ID, m.Seq)
	}
	return id, m
}

func (s *sseStream) heartbeat() {
	s.t.Helper()
	select {
	case <-s.beats:
	case <-time.After(streamWait):
		s.t.Fatalf("no heartbeat within %s", streamWait)
	}
}

// ids lists the ids of the messages read so far.
func (s *sseStream) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = m.ID + " " + m.Event
	}
	return out
}

func (s *sseStream) rawString() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.String()
}

// roomEnv is a bidsEnv whose section holds three sealed bids with real bid
// forms, from three organisations with registered keys.
type roomEnv struct {
	*bidsEnv
	bidders []roomBidder
}

type roomBidder struct {
	username string
	token    string
	org      int64
	name     string
	key      *notary.PrivateKey
	env      []byte
	price    int64
}

func newRoomEnv(t *testing.T, be *biddingEnv) *roomEnv {
	t.Helper()
	e := &roomEnv{bidsEnv: newBidsEnv(t, be)}
	fields, err := notary.NewFieldCipher(bytes.Repeat([]byte{9}, notary.FieldKeySize))
	if err != nil {
		t.Fatal(err)
	}
	e.srv.deps.Bidding.SetFieldCipher(fields)
	e.srv.rooms.setTiming(testTick, testHeartbeat)
	admin := e.tokens[accounts.RoleAdmin]

	var third OrgView
	resp := e.do("POST", "/api/v1/organizations", admin, OrgRequest{Kind: "bidder", Name: "第三投标人建设有限公司", USCC: usccFor(t, "9135010000000003X"), Region: "350100"})
	wantStatus(t, resp, http.StatusCreated)
	decode(t, resp, &third)
	wantStatus(t, e.do("POST", "/api/v1/users", admin, UserRequest{Username: "third-bidder", DisplayName: "第三投标人",
		Password: testPassword, OrgID: third.ID, Roles: []accounts.Role{accounts.RoleBidder}}), http.StatusCreated)
	e.bidders = []roomBidder{
		{username: usernameOf(accounts.RoleBidder), token: e.tokens[accounts.RoleBidder], org: e.bidderOrgID, name: "单位bidder", key: e.key},
		{username: "other-bidder", token: e.otherBidder, org: e.otherBidderID, name: "另一投标人"},
		{username: "third-bidder", token: e.login("third-bidder"), org: third.ID, name: "第三投标人建设有限公司"},
	}
	for i := range e.bidders {
		b := &e.bidders[i]
		if b.key == nil {
			if b.key, err = notary.GenerateKey(); err != nil {
				t.Fatal(err)
			}
			wantStatus(t, e.do("PUT", fmt.Sprintf("/api/v1/organizations/%d/public-key", b.org), b.token,
				PublicKeyRequest{PEM: b.key.Public().PEM}), http.StatusOK)
		}
		b.price = 987654321 + int64(i)*1111
		b.env = e.sealBid(t, b)
		e.submit(t, b)
	}
	return e
}

// sealBid seals a bid package with a bid form for b.
func (e *roomEnv) sealBid(t *testing.T, b *roomBidder) []byte {
	t.Helper()
	var pkg bytes.Buffer
	doc := strings.Repeat("技术标内容。", 100)
	if err := bidding.WriteBidPackage(&pkg, bidding.BidForm{PriceFen: b.price, DurationDays: 180, Quality: "合格"},
		[]bidding.BidDocument{{Name: "technical.txt", Size: int64(len(doc)), Body: strings.NewReader(doc)}}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_, err := notary.Seal(context.Background(), &out, &pkg, notary.SealOptions{Signer: b.key,
		Recipients: []*notary.PublicKey{b.key.Public()}, ChunkSize: notary.MinChunkSize,
		Meta: notary.Metadata{Project: strconv.FormatInt(e.sec.ProjectID, 10), Section: strconv.FormatInt(e.sec.ID, 10),
			Bidder: strconv.FormatInt(b.org, 10), SealedAt: e.clock.Now(), SchemaVersion: bidding.BidFormSchema}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// submit uploads b's envelope and finalizes it.
func (e *roomEnv) submit(t *testing.T, b *roomBidder) {
	t.Helper()
	var u UploadView
	resp := e.do("POST", fmt.Sprintf("/api/v1/sections/%d/uploads", e.sec.ID), b.token, nil)
	wantStatus(t, resp, http.StatusCreated)
	decode(t, resp, &u)
	for off := 0; off < len(b.env); off += 16 << 10 {
		wantStatus(t, e.put(b.token, u.UploadID, int64(off), b.env[off:min(off+16<<10, len(b.env))]), http.StatusOK)
	}
	wantStatus(t, e.do("POST", "/api/v1/uploads/"+u.UploadID+"/finalize?size="+strconv.Itoa(len(b.env)), b.token, nil), http.StatusCreated)
}

// moveTo moves the clock and signs everyone in again.
func (e *roomEnv) moveTo(at time.Time) {
	e.at(at)
	for i := range e.bidders {
		e.bidders[i].token = e.login(e.bidders[i].username)
	}
}

func (e *roomEnv) signIn(t *testing.T, b roomBidder) {
	t.Helper()
	path := fmt.Sprintf("/api/v1/sections/%d/room/", e.sec.ID)
	var c bidding.Challenge
	resp := e.do("POST", path+"challenge", b.token, nil)
	wantStatus(t, resp, http.StatusCreated)
	decode(t, resp, &c)
	sig, err := b.key.Sign(bidding.SignInMessage(e.sec.ID, c.Nonce))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.do("POST", path+"signin", b.token, SignInRequest{ChallengeID: c.ID, Signature: base64.StdEncoding.EncodeToString(sig)}), http.StatusCreated)
}

func (e *roomEnv) decrypt(t *testing.T, b roomBidder) {
	t.Helper()
	h, err := notary.ParseHeader(bytes.NewReader(b.env))
	if err != nil {
		t.Fatal(err)
	}
	k, err := notary.UnwrapDEK(h, b.key)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.do("POST", fmt.Sprintf("/api/v1/sections/%d/room/decrypt", e.sec.ID), b.token, DecryptRequest{DEK: hex.EncodeToString(k)}), http.StatusOK)
}

// logSeqs lists the sequence numbers of the section's events of type typ.
func (e *roomEnv) logSeqs(t *testing.T, typ string) []int64 {
	t.Helper()
	evs, err := e.events.BySubject(context.Background(), "section:"+strconv.FormatInt(e.sec.ID, 10), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, ev := range evs {
		if ev.Type == typ {
			out = append(out, ev.Seq)
		}
	}
	return out
}

// TestRoomStream follows one section's room from the waiting phase to the
// results over two replicas: ticks and their phases, check-ins and an
// announcement arriving with their log sequence numbers as ids, resuming
// after Last-Event-ID, the same messages in the same order on both
// replicas, and no bidder name or price on the wire before the window
// closes (and both once it has).
func TestRoomStream(t *testing.T) {
	forEachBiddingBackend(t, func(t *testing.T, be *biddingEnv) {
		e := newRoomEnv(t, be)
		path := fmt.Sprintf("/api/v1/sections/%d/room/stream", e.sec.ID)
		agent := e.tokens[accounts.RoleAgent]

		for _, tc := range []struct {
			name, path, token string
			headers           []string
			status            int
			code              string
		}{
			{"anonymous", path, "", nil, http.StatusUnauthorized, "no_session"},
			{"no such section", "/api/v1/sections/999999/room/stream", agent, nil, http.StatusNotFound, ""},
			{"malformed Last-Event-ID", path, agent, []string{"Last-Event-ID", "x"}, http.StatusBadRequest, ""},
			{"negative after", path + "?after=-1", agent, nil, http.StatusBadRequest, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp := e.do("GET", tc.path, tc.token, nil, tc.headers...)
				wantStatus(t, resp, tc.status)
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Fatalf("refusal content type %q", ct)
				}
				if d := errorOf(t, resp); tc.code != "" && d.Code != tc.code {
					t.Fatalf("code %q, want %q", d.Code, tc.code)
				}
			})
		}

		// (a) Ticks: the phase follows the clock, and so does serverTimeMs.
		watch := openStream(t, e.http.URL, path, e.bidders[0].token)
		first := watch.tick("phase waiting", func(d roomTickData) bool { return true })
		if first.Phase != bidding.PhaseWaiting || first.ServerTimeMs != e.clock.Now().UnixMilli() || first.BidCount != 0 {
			t.Fatalf("first tick %+v at %d", first, e.clock.Now().UnixMilli())
		}
		watch.heartbeat()
		e.moveTo(e.deadline.Add(-10 * time.Minute))
		signin := watch.tick("phase signin", func(d roomTickData) bool { return d.Phase == bidding.PhaseSignIn })
		if signin.ServerTimeMs != e.clock.Now().UnixMilli() || signin.ServerTimeMs <= first.ServerTimeMs {
			t.Fatalf("signin tick %+v, first %+v", signin, first)
		}

		// (d) A second replica over the same database.
		srv2 := New(e.srv.deps)
		srv2.rooms.setTiming(testTick, testHeartbeat)
		replica := httptest.NewServer(srv2.Handler())
		t.Cleanup(replica.Close)
		other := openStream(t, replica.URL, path, e.login(usernameOf(accounts.RoleSupervisor)))

		// (b) Check-ins reach both replicas with their log seq as the id.
		agent = e.tokens[accounts.RoleAgent]
		wantStatus(t, e.do("POST", fmt.Sprintf("/api/v1/sections/%d/room/join", e.sec.ID), agent, nil), http.StatusCreated)
		for _, b := range e.bidders {
			e.signIn(t, b)
		}
		want := e.logSeqs(t, "opening.checkin")
		if len(want) != 4 {
			t.Fatalf("check-in events %v", want)
		}
		for _, s := range []*sseStream{watch, other} {
			for i, seq := range want {
				id, m := s.message("opening.checkin")
				if id != seq || (i == 0) != (m.Data["role"] == "host") {
					t.Fatalf("check-in %d: id %d %+v, want seq %d", i, id, m, seq)
				}
				if _, leaks := m.Data["orgId"]; leaks {
					t.Fatalf("a check-in names its organisation: %+v", m)
				}
			}
			s.tick("four check-ins", func(d roomTickData) bool { return d.Checkins["host"] == 1 && d.Checkins["bidder"] == 3 })
		}

		// A request that does not accept text/event-stream gets the start of
		// the stream and an ended response.
		resp := e.do("GET", path+"?after="+strconv.FormatInt(want[1], 10), agent, nil)
		wantStatus(t, resp, http.StatusOK)
		snapshot, err := io.ReadAll(resp.Body)
		if err != nil || !bytes.Contains(snapshot, []byte("\nevent: tick\n")) || bytes.Contains(snapshot, []byte(fmt.Sprintf("id: %d\n", want[1]))) ||
			!bytes.Contains(snapshot, []byte(fmt.Sprintf("id: %d\n", want[2]))) {
			t.Fatalf("snapshot after %d: %v\n%s", want[1], err, snapshot)
		}

		// The deadline opens the room; the host announces.
		e.moveTo(e.deadline.Add(bidding.ArrivalGrace))
		e.queue.runDue(t)
		watch.tick("phase decrypting", func(d roomTickData) bool {
			return d.Phase == bidding.PhaseDecrypting && d.BidCount == 3 && d.WindowEndsAt != nil
		})
		agent = e.tokens[accounts.RoleAgent]
		wantStatus(t, e.do("POST", fmt.Sprintf("/api/v1/sections/%d/room/announcements", e.sec.ID), agent, TextRequest{Text: "请各投标人开始解密"}), http.StatusCreated)
		seqs := e.logSeqs(t, "opening.announcement")
		for _, s := range []*sseStream{watch, other} {
			id, m := s.message("opening.announcement")
			if len(seqs) != 1 || id != seqs[0] || m.Data["text"] != "请各投标人开始解密" {
				t.Fatalf("announcement id %d %+v, log %v", id, m, seqs)
			}
		}
		for _, b := range e.bidders {
			e.decrypt(t, b)
		}
		for _, s := range []*sseStream{watch, other} {
			for range e.bidders {
				s.message("opening.decrypted")
			}
			s.tick("three decrypted", func(d roomTickData) bool { return d.Decrypted == 3 })
		}

		// (c) Resuming after the first check-in gives what followed it, and
		// nothing before; on either replica, by header or by ?after=.
		for _, tc := range []struct {
			name, base, path string
			headers          []string
		}{
			{"Last-Event-ID", e.http.URL, path, []string{"Last-Event-ID", strconv.FormatInt(want[0], 10)}},
			{"after on the replica", replica.URL, path + "?after=" + strconv.FormatInt(want[0], 10), nil},
			{"Last-Event-ID over after", replica.URL, path + "?after=0", []string{"Last-Event-ID", strconv.FormatInt(want[0], 10)}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := openStream(t, tc.base, tc.path, e.tokens[accounts.RoleAdmin], tc.headers...)
				id, _ := s.message("opening.checkin")
				if id != want[1] {
					t.Fatalf("first message after %d: %d, want %d", want[0], id, want[1])
				}
				s.message("opening.announcement")
				got, all := s.ids(), watch.ids()
				i := 0
				for i < len(all) && !strings.HasPrefix(all[i], strconv.FormatInt(want[1], 10)+" ") {
					i++
				}
				if i+len(got) > len(all) || strings.Join(got, ",") != strings.Join(all[i:i+len(got)], ",") {
					t.Fatalf("resumed %v, want the tail of %v", got, all)
				}
			})
		}

		// (e) Before the window closes nothing on the wire names a bidder
		// or a price, though all three forms are decrypted.
		secret := func(b roomBidder) []string {
			yuan := fmt.Sprintf("%d.%02d", b.price/100, b.price%100)
			return []string{b.name, strconv.FormatInt(b.price, 10), yuan}
		}
		for name, s := range map[string]*sseStream{"watch": watch, "replica": other} {
			raw := s.rawString()
			for _, b := range e.bidders {
				for _, v := range append(secret(b), "priceFen", "bidderName", "bidderOrgId") {
					if strings.Contains(raw, v) {
						t.Fatalf("%s stream carries %q before the window closed:\n%s", name, v, raw)
					}
				}
			}
		}

		// The window closes: names and prices are published, on both replicas.
		e.moveTo(e.deadline.Add(30 * time.Minute))
		e.queue.runDue(t)
		for _, s := range []*sseStream{watch, other} {
			s.message("section.opened")
			s.tick("phase results", func(d roomTickData) bool { return d.Phase == bidding.PhaseResults })
			raw := s.rawString()
			for _, b := range e.bidders {
				if !strings.Contains(raw, b.name) || !strings.Contains(raw, strconv.FormatInt(b.price, 10)) {
					t.Fatalf("the results do not name %s or its price:\n%s", b.name, raw)
				}
			}
		}

		// (d) Both replicas carried the same messages in the same order.
		if a, b := watch.ids(), other.ids(); strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Fatalf("replicas differ:\n%s\n--\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
	})
}

// TestRoomHubSharesOneFeed checks that clients of one section share one
// feed, that a client which stops reading is dropped without holding up the
// others, and that the feed stops with its last subscriber.
func TestRoomHubSharesOneFeed(t *testing.T) {
	forEachBiddingBackend(t, func(t *testing.T, be *biddingEnv) {
		e := newBidsEnv(t, be)
		h := e.srv.rooms
		h.setTiming(testTick, testHeartbeat)
		ctx := context.Background()
		a, err := h.subscribe(ctx, e.sec.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := h.subscribe(ctx, e.sec.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		feeds := func() int { h.mu.Lock(); defer h.mu.Unlock(); return len(h.feeds) }
		if a.feed != b.feed || feeds() != 1 || a.backlog.tick == nil {
			t.Fatalf("two feeds for one section, or no first tick: %p %p %d", a.feed, b.feed, feeds())
		}
		// a never reads: its buffer fills and it is dropped while b keeps receiving.
		deadline := time.After(streamWait)
		for dropped := false; !dropped; {
			select {
			case <-b.ch:
			case <-a.gone:
				dropped = true
			case <-deadline:
				t.Fatal("a subscriber that does not read was never dropped")
			}
		}
		select {
		case <-b.ch:
		case <-b.gone:
			t.Fatal("the reading subscriber was dropped too")
		case <-time.After(streamWait):
			t.Fatal("the feed stopped sending after dropping a subscriber")
		}
		h.unsubscribe(a)
		h.unsubscribe(a)
		if feeds() != 1 {
			t.Fatal("the feed stopped while a subscriber remained")
		}
		f := b.feed
		h.unsubscribe(b)
		if feeds() != 0 || f.ctx.Err() == nil {
			t.Fatal("the feed outlived its last subscriber")
		}
	})
}

// BenchmarkRoomStream500 holds 500 room-stream clients of one section on
// one server, with the production tick of one second, for five seconds, and
// reports the process's CPU time per wall second (getrusage, user + system)
// as "cores". The clients run in the same process, so their reading counts
// too: the server alone uses less. It fails if a client missed a tick.
//
//	go test ./api -run '^$' -bench BenchmarkRoomStream500 -benchtime 1x
//
// Measured on the 2-core development machine (SQLite): about 0.02 cores (0.017–0.022 over
// three runs), clients included.
func BenchmarkRoomStream500(b *testing.B) {
	const clients = 500
	const window = 5 * time.Second
	ctx := context.Background()
	db := storagetest.Open(b, dbtest.SQLite)
	clk := clock.System{}
	events := eventlog.New(db, clk)
	fields, _ := notary.NewFieldCipher(bytes.Repeat([]byte{1}, notary.FieldKeySize))
	opts := accounts.DefaultOptions()
	opts.Argon2 = accounts.Argon2Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1}
	acc := accounts.New(db, events, clk, fields, opts)
	blobs, err := storage.NewFS(b.TempDir(), storage.PresignConfig{})
	if err != nil {
		b.Fatal(err)
	}
	q := &manualQueue{clock: clk, tasks: map[string]jobs.Task{}, done: map[string]bool{}, handlers: map[string]jobs.Handler{}}
	svc := bidding.New(db, events, clk, q, nil)
	srv := New(Deps{Clock: clk, Accounts: acc, Events: events, Blobs: blobs, Bidding: svc, Log: discardLogger(), Version: "bench"})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	// The first administrator, an agency with its agent, a tenderer, a section.
	setup, err := acc.CreateSetupToken(ctx, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	post := func(path, token string, body, out any) {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", hs.URL+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 {
			msg, _ := io.ReadAll(resp.Body)
			b.Fatalf("POST %s: %d %s", path, resp.StatusCode, msg)
		}
		if out != nil {
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				b.Fatal(err)
			}
		}
	}
	login := func(user string) string {
		var out LoginResponse
		post("/api/v1/auth/login", "", LoginRequest{Username: user, Password: testPassword, Kind: "bearer"}, &out)
		return out.Token
	}
	post("/api/v1/setup", "", SetupRequest{Token: setup, Username: "root-admin", DisplayName: "管理员", Password: testPassword}, nil)
	admin := login("root-admin")
	var agency, tenderer OrgView
	post("/api/v1/organizations", admin, OrgRequest{Kind: "agency", Name: "代理机构", USCC: usccForTB(b, "9135010000000000A"), Region: "350100"}, &agency)
	post("/api/v1/organizations", admin, OrgRequest{Kind: "tenderer", Name: "招标人", USCC: usccForTB(b, "9135010000000001X"), Region: "350100"}, &tenderer)
	post("/api/v1/users", admin, UserRequest{Username: "agent", DisplayName: "代理", Password: testPassword, OrgID: agency.ID, Roles: []accounts.Role{accounts.RoleAgent}}, nil)
	agent := login("agent")
	var p bidding.Project
	post("/api/v1/projects", agent, ProjectRequest{Name: "项目", TendererOrgID: tenderer.ID, Region: "350100"}, &p)
	var sec bidding.Section
	post(fmt.Sprintf("/api/v1/projects/%d/sections", p.ID), agent, SectionRequest{Code: "A010101", Name: "一标段", Kind: "engineering", BudgetFen: 100_000_00, Rulebook: "engineering"}, &sec)

	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: 0, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	streamCtx, cancel := context.WithCancel(ctx)
	var ticks [clients]atomic.Int64
	var connected, finished sync.WaitGroup
	failed := make(chan error, clients)
	for i := range clients {
		connected.Add(1)
		finished.Add(1)
		go func() {
			defer finished.Done()
			first := true
			defer func() {
				if first {
					connected.Done()
				}
			}()
			req, _ := http.NewRequestWithContext(streamCtx, "GET", fmt.Sprintf("%s/api/v1/sections/%d/room/stream", hs.URL, sec.ID), nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			req.Header.Set("Accept", "text/event-stream")
			resp, err := client.Do(req)
			if err != nil {
				failed <- err
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				failed <- fmt.Errorf("client %d: status %d", i, resp.StatusCode)
				return
			}
			r := bufio.NewReaderSize(resp.Body, 4096)
			for {
				line, err := r.ReadSlice('\n')
				if err != nil {
					return
				}
				if bytes.Equal(line, []byte("event: tick\n")) {
					ticks[i].Add(1)
					if first {
						first = false
						connected.Done()
					}
				}
			}
		}()
	}
	connected.Wait()
	select {
	case err := <-failed:
		b.Fatal(err)
	default:
	}

	var cores float64
	b.ResetTimer()
	for range b.N {
		var before [clients]int64
		for i := range ticks {
			before[i] = ticks[i].Load()
		}
		cpu0, wall0 := cpuTime(b), time.Now()
		<-time.After(window)
		cpu1, wall1 := cpuTime(b), time.Now()
		cores = (cpu1 - cpu0).Seconds() / wall1.Sub(wall0).Seconds()
		want := int64(window/roomTick) - 1
		for i := range ticks {
			if got := ticks[i].Load() - before[i]; got < want {
				b.Fatalf("client %d got %d ticks in %s, want at least %d", i, got, window, want)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(cores, "cores")
	cancel()
	finished.Wait()
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// usccForTB is usccFor for benchmarks.
func usccForTB(tb testing.TB, body string) string {
	const chars = "0123456789ABCDEFGHJKLNPQRTUWXY"
	for _, c := range chars {
		if accounts.ValidUSCC(body+string(c)) == nil {
			return body + string(c)
		}
	}
	tb.Fatalf("no check character for %s", body)
	return ""
}
