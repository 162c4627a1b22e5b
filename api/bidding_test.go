package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
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

// manualQueue is a jobs.Queue the test drives: tasks are kept by ID (a
// repeated ID is a no-op, as in the real queues) and runDue runs, once each
// unless they fail, the handlers of tasks due by the fake clock.
type manualQueue struct {
	mu       sync.Mutex
	clock    clock.Clock
	tasks    map[string]jobs.Task
	done     map[string]bool
	handlers map[string]jobs.Handler
}

func (q *manualQueue) Enqueue(_ context.Context, t jobs.Task) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	_, dup := q.tasks[t.ID]
	if !dup {
		q.tasks[t.ID] = t
	}
	return !dup, nil
}

func (q *manualQueue) Status(context.Context, string) (jobs.State, error) { return jobs.Pending, nil }
func (q *manualQueue) Handle(typ string, h jobs.Handler)                  { q.handlers[typ] = h }
func (q *manualQueue) Every(string, time.Duration, jobs.Task)             {}
func (q *manualQueue) Run(context.Context) error                          { return nil }
func (q *manualQueue) Ping(context.Context) error                         { return nil }
func (q *manualQueue) Close() error                                       { return nil }

// runDue runs every pending task whose time has come and returns their IDs.
func (q *manualQueue) runDue(t *testing.T) (ran []string) {
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
			t.Logf("task %s: %v (will retry)", task.ID, err)
			continue
		}
		q.mu.Lock()
		q.done[task.ID] = true
		q.mu.Unlock()
		ran = append(ran, task.ID)
	}
	return ran
}

// biddingEnv is testEnv with the bidding service, a driven queue and a
// tenderer organisation with its own agent.
type biddingEnv struct {
	*testEnv
	queue         *manualQueue
	tendererOrg   int64
	tendererAgent string // bearer token of an agent of the tenderer
}

func newBiddingEnv(t *testing.T, b dbtest.Backend) *biddingEnv {
	t.Helper()
	ctx := context.Background()
	db := storagetest.Open(t, b)
	fields, _ := notary.NewFieldCipher(bytes.Repeat([]byte{1}, notary.FieldKeySize))
	clk := clock.NewFake(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)) // Sunday 16:00 in Shanghai
	events := eventlog.New(db, clk)
	opts := accounts.DefaultOptions()
	opts.Argon2 = accounts.Argon2Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1}
	acc := accounts.New(db, events, clk, fields, opts)
	blobs, err := storage.NewFS(t.TempDir(), storage.PresignConfig{})
	if err != nil {
		t.Fatal(err)
	}
	q := &manualQueue{clock: clk, tasks: map[string]jobs.Task{}, done: map[string]bool{}, handlers: map[string]jobs.Handler{}}
	svc := bidding.New(db, events, clk, q, nil) // weekends-only calendar
	svc.Register(q)
	e := &testEnv{t: t, clock: clk, accounts: acc, events: events, password: testPassword,
		tokens: map[accounts.Role]string{}, ids: map[accounts.Role]int64{}}
	e.srv = New(Deps{Clock: clk, Accounts: acc, Events: events, Blobs: blobs, Bidding: svc, MaxBodyBytes: 64 << 10, Log: discardLogger(), Version: "test"})
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
	e.makeUsers(ctx)
	be := &biddingEnv{testEnv: e, queue: q}
	var org OrgView
	resp := e.do("POST", "/api/v1/organizations", e.tokens[accounts.RoleAdmin], OrgRequest{Kind: "tenderer", Name: "招标人单位", USCC: usccFor(t, "9135010000000001X"), Region: "350100"})
	wantStatus(t, resp, http.StatusCreated)
	decode(t, resp, &org)
	be.tendererOrg = org.ID
	resp = e.do("POST", "/api/v1/users", e.tokens[accounts.RoleAdmin], UserRequest{Username: "tenderer-agent", DisplayName: "招标人经办",
		Password: testPassword, OrgID: org.ID, Roles: []accounts.Role{accounts.RoleAgent}})
	wantStatus(t, resp, http.StatusCreated)
	be.tendererAgent = e.login("tenderer-agent")
	return be
}

func shanghai(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func (e *biddingEnv) section(id int64) bidding.SectionView {
	e.t.Helper()
	var v bidding.SectionView
	resp := e.do("GET", fmt.Sprintf("/api/v1/sections/%d", id), e.tokens[accounts.RoleAgent], nil)
	wantStatus(e.t, resp, http.StatusOK)
	decode(e.t, resp, &v)
	return v
}

func (e *biddingEnv) wantDeadline(id int64, want time.Time) {
	e.t.Helper()
	if got := e.section(id).Deadline; got == nil || !got.Equal(want) {
		e.t.Fatalf("deadline %v, want %s", got, want.In(clock.Shanghai))
	}
}

func (e *biddingEnv) wantError(resp *http.Response, status int, code string) ErrorDetail {
	e.t.Helper()
	wantStatus(e.t, resp, status)
	d := errorOf(e.t, resp)
	if code != "" && d.Code != code {
		e.t.Fatalf("error code %q, want %q (%+v)", d.Code, code, d)
	}
	return d
}

// at moves the fake clock to t and signs everyone in again (sessions expire
// over the weeks a tender runs), returning the agent, bidder and admin tokens.
func (e *biddingEnv) at(t time.Time) (agent, bidder, admin string) {
	e.t.Helper()
	e.clock.Set(t)
	for _, r := range []accounts.Role{accounts.RoleAgent, accounts.RoleBidder, accounts.RoleAdmin} {
		e.tokens[r] = e.login(usernameOf(r))
	}
	e.tendererAgent = e.login("tenderer-agent")
	return e.tokens[accounts.RoleAgent], e.tokens[accounts.RoleBidder], e.tokens[accounts.RoleAdmin]
}

func TestBiddingRoutesWithoutService(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	e.rebuild(t, func(d *Deps) { d.Bidding = nil })
	resp := e.do("GET", "/api/v1/public/announcements", "", nil)
	wantStatus(t, resp, http.StatusServiceUnavailable)
	if code := errorOf(t, resp).Code; code != "no_bidding" {
		t.Fatalf("code %q, want no_bidding", code)
	}
}

// TestSectionLifecycleOverHTTP drives a section from draft to "bidding
// closed": a deadline refused by the rulebook, tenderer approval, publish,
// an objection that pauses the section for a day, a clarification inside 15
// days that moves the deadline, stale deadline tasks that do nothing, and
// the close at the effective deadline.
func TestSectionLifecycleOverHTTP(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			e := newBiddingEnv(t, b)
			agent, bidder, admin := e.tokens[accounts.RoleAgent], e.tokens[accounts.RoleBidder], e.tokens[accounts.RoleAdmin]

			var p bidding.Project
			resp := e.do("POST", "/api/v1/projects", agent, ProjectRequest{Name: "市政道路改造", TendererOrgID: e.tendererOrg, Region: "350100"})
			wantStatus(t, resp, http.StatusCreated)
			decode(t, resp, &p)
			e.wantError(e.do("POST", "/api/v1/projects", bidder, ProjectRequest{Name: "x", TendererOrgID: e.tendererOrg}), http.StatusForbidden, "forbidden_role")
			e.wantError(e.do("POST", "/api/v1/projects", e.tendererAgent, ProjectRequest{Name: "x", TendererOrgID: e.tendererOrg}), http.StatusForbidden, "not_agency_agent")

			var sec bidding.Section
			resp = e.do("POST", fmt.Sprintf("/api/v1/projects/%d/sections", p.ID), agent,
				SectionRequest{Code: "A010101", Name: "一标段", Kind: "engineering", BudgetFen: 1_200_000_00, Rulebook: "engineering"})
			wantStatus(t, resp, http.StatusCreated)
			decode(t, resp, &sec)
			if sec.State != bidding.StateDraft || sec.Rulebook.MinDaysToDeadline != 20 {
				t.Fatalf("new section %+v", sec)
			}
			secPath := fmt.Sprintf("/api/v1/sections/%d", sec.ID)

			// 2026-11-22 (Sunday) + 20 days = Saturday 12-12 → Monday 12-14 at the earliest.
			draft := AnnouncementRequest{Title: "市政道路改造一标段招标公告", Body: "详见招标文件", DocsFrom: e.clock.Now(),
				DocsUntil: shanghai("2026-11-30 17:00"), Deadline: shanghai("2026-12-12 09:30")}
			wantStatus(t, e.do("PUT", secPath+"/announcement", agent, draft), http.StatusOK)
			e.wantError(e.do("POST", secPath+"/announcement/publish", agent, nil), http.StatusConflict, "not_approved")
			e.wantError(e.do("POST", secPath+"/announcement/approve", agent, nil), http.StatusForbidden, "not_tenderer")
			wantStatus(t, e.do("POST", secPath+"/announcement/approve", e.tendererAgent, nil), http.StatusOK)
			d := e.wantError(e.do("POST", secPath+"/announcement/publish", agent, nil), http.StatusBadRequest, "schedule_breaks_rulebook")
			if !strings.Contains(d.Fields["deadline"], "2026-12-14") {
				t.Fatalf("refusal should name the earliest deadline: %+v", d)
			}
			draft.Deadline = shanghai("2026-12-14 09:30")
			wantStatus(t, e.do("PUT", secPath+"/announcement", agent, draft), http.StatusOK) // editing sends it back to review
			wantStatus(t, e.do("POST", secPath+"/announcement/approve", admin, nil), http.StatusOK)
			var ann bidding.Announcement
			resp = e.do("POST", secPath+"/announcement/publish", agent, nil)
			wantStatus(t, resp, http.StatusOK)
			decode(t, resp, &ann)
			e.wantDeadline(sec.ID, shanghai("2026-12-14 09:30"))
			if v := e.section(sec.ID); v.State != bidding.StateAnnounced || v.RulebookFrozenAt == nil {
				t.Fatalf("after publish: %+v", v.Section)
			}
			e.wantError(e.do("PUT", secPath+"/announcement", agent, draft), http.StatusConflict, "invalid_transition")

			// Public listing and the stable URL.
			var page bidding.AnnouncementPage
			resp = e.do("GET", "/api/v1/public/announcements?q=道路&kind=engineering&status=announced&region=3501&from=2026-11-22", "", nil)
			wantStatus(t, resp, http.StatusOK)
			decode(t, resp, &page)
			if len(page.Items) != 1 || page.Items[0].URL != bidding.PublicURL(ann.ID) {
				t.Fatalf("listing %+v", page)
			}

			// 12 days before the deadline a bidder objects: the section pauses.
			agent, bidder, admin = e.at(shanghai("2026-12-02 16:00"))
			var obj bidding.Objection
			resp = e.do("POST", secPath+"/objections", bidder, ObjectionRequest{Body: "资格条件排斥潜在投标人"})
			wantStatus(t, resp, http.StatusCreated)
			decode(t, resp, &obj)
			if !e.section(sec.ID).Paused() {
				t.Fatal("an unanswered objection must pause the section")
			}
			if evs, _ := e.events.ByType(context.Background(), "supervision.objection_pending", 10); len(evs) != 1 {
				t.Fatalf("supervision events: %d", len(evs))
			}
			var q bidding.Question
			resp = e.do("POST", secPath+"/questions", bidder, QuestionRequest{Question: "工期可否调整？"})
			wantStatus(t, resp, http.StatusCreated)
			decode(t, resp, &q)
			wantStatus(t, e.do("POST", fmt.Sprintf("/api/v1/questions/%d/answer", q.ID), agent, AnswerRequest{Answer: "不可调整"}), http.StatusOK)

			// Answered a day later: the deadline moves by the pause.
			agent, bidder, admin = e.at(shanghai("2026-12-03 16:00"))
			wantStatus(t, e.do("POST", fmt.Sprintf("/api/v1/objections/%d/answer", obj.ID), agent, AnswerRequest{Answer: "已修改"}), http.StatusOK)
			e.wantDeadline(sec.ID, shanghai("2026-12-15 09:30"))

			// 10 days before the deadline a clarification moves it 15 days on
			// (12-20 is a Sunday → Monday 12-21).
			agent, bidder, admin = e.at(shanghai("2026-12-05 16:00"))
			wantStatus(t, e.do("POST", fmt.Sprintf("/api/v1/projects/%d/clarifications", p.ID), agent,
				ClarificationRequest{Title: "澄清一", Body: "修改工程量清单"}), http.StatusCreated)
			e.wantDeadline(sec.ID, shanghai("2026-12-21 09:30"))
			if h := e.section(sec.ID).DeadlineHistory; len(h) != 3 || h[1].Reason != "objection" || h[2].Reason != "clarification" {
				t.Fatalf("deadline history %+v", h)
			}

			// The tasks for the old deadlines run and do nothing; objections
			// are too late 6 days before the deadline.
			agent, bidder, _ = e.at(shanghai("2026-12-15 10:00"))
			e.wantError(e.do("POST", secPath+"/objections", bidder, ObjectionRequest{Body: "迟到的异议"}), http.StatusGone, "objection_too_late")
			if ran := e.queue.runDue(t); len(ran) != 2 {
				t.Fatalf("ran %v", ran)
			}
			if st := e.section(sec.ID).State; st != bidding.StateAnnounced {
				t.Fatalf("closed early: %s", st)
			}
			e.at(shanghai("2026-12-21 09:30").Add(-time.Millisecond))
			if ran := e.queue.runDue(t); len(ran) != 0 {
				t.Fatalf("ran %v before the deadline", ran)
			}
			deadline := shanghai("2026-12-21 09:30")
			agent, _, _ = e.at(deadline)
			if ran := e.queue.runDue(t); len(ran) != 1 || ran[0] != bidding.CloseTaskID(sec.ID, deadline) {
				t.Fatalf("ran %v", ran)
			}
			// The close waits ArrivalGrace for finalizes that arrived in
			// time to register, then its re-check closes.
			if st := e.section(sec.ID).State; st != bidding.StateAnnounced {
				t.Fatalf("state %s at the deadline, want announced while the close waits", st)
			}
			agent, _, _ = e.at(deadline.Add(bidding.ArrivalGrace))
			if ran := e.queue.runDue(t); len(ran) != 1 || ran[0] != bidding.CloseTaskID(sec.ID, deadline)+":"+fmt.Sprint(deadline.Add(bidding.ArrivalGrace).UnixMilli()) {
				t.Fatalf("ran %v, want the close's re-check", ran)
			}
			// Bidding closed at the deadline; with no bids the same job
			// then failed the section (流标, fewer than 3 bids).
			if st := e.section(sec.ID).State; st != bidding.StateFailed {
				t.Fatalf("state %s, want failed (closed with no bids)", st)
			}
			var detail bidding.PublicDetail
			resp = e.do("GET", bidding.PublicURL(ann.ID), "", nil)
			wantStatus(t, resp, http.StatusOK)
			decode(t, resp, &detail)
			if detail.State != bidding.StateFailed || len(detail.Clarifications) != 1 || len(detail.Questions) != 1 || !detail.Deadline.Equal(shanghai("2026-12-21 09:30")) {
				t.Fatalf("public detail %+v", detail)
			}
			d = e.wantError(e.do("POST", secPath+"/announcement/publish", agent, nil), http.StatusConflict, "invalid_transition")
			if !strings.Contains(d.Message, "failed") && !strings.Contains(d.Message, "流标") {
				t.Fatalf("conflict should name the state: %+v", d)
			}
			for _, typ := range []string{"section.closed", "section.failed"} {
				if evs, _ := e.events.ByType(context.Background(), typ, 10); len(evs) != 1 || evs[0].Actor != "system" {
					t.Fatalf("%s events %+v", typ, evs)
				}
			}
		})
	}
}
