package bidding

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// recorder is a jobs.Queue that only records what is enqueued.
type recorder struct{ tasks map[string]jobs.Task }

func (r *recorder) Enqueue(_ context.Context, t jobs.Task) (bool, error) {
	if _, ok := r.tasks[t.ID]; ok {
		return false, nil
	}
	r.tasks[t.ID] = t
	return true, nil
}
func (r *recorder) Status(context.Context, string) (jobs.State, error) { return jobs.Pending, nil }
func (r *recorder) Handle(string, jobs.Handler)                        {}
func (r *recorder) Every(string, time.Duration, jobs.Task)             {}
func (r *recorder) Run(context.Context) error                          { return nil }
func (r *recorder) Ping(context.Context) error                         { return nil }
func (r *recorder) Close() error                                       { return nil }

type fixture struct {
	svc                    *Service
	clock                  *clock.Fake
	queue                  *recorder
	agent, other, tenderer accounts.Principal
	bidder, admin          accounts.Principal
	tendererOrg            int64
	// escrowK and escrowN give the next announced section an escrow key;
	// beforePublish runs once the project and section exist.
	escrowK, escrowN int
	beforePublish    func(projectID int64)
}

func newFixture(t testing.TB, b dbtest.Backend) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storagetest.Open(t, b)
	now := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC) // Monday 09:00 Shanghai
	for i, kind := range []string{"agency", "agency", "tenderer", "bidder"} {
		if err := db.Conn(ctx).Exec("INSERT INTO organizations (id, kind, name, region, created_at, updated_at) VALUES (?, ?, ?, '350100', ?, ?)",
			i+1, kind, "org"+kind, now, now).Error; err != nil {
			t.Fatal(err)
		}
	}
	clk := clock.NewFake(now)
	q := &recorder{tasks: map[string]jobs.Task{}}
	f := &fixture{svc: New(db, eventlog.New(db, clk), clk, q, nil), clock: clk, queue: q, tendererOrg: 3,
		agent:    accounts.Principal{UserID: 10, OrgID: 1, OrgKind: accounts.OrgAgency, Roles: []accounts.Role{accounts.RoleAgent}},
		other:    accounts.Principal{UserID: 11, OrgID: 2, OrgKind: accounts.OrgAgency, Roles: []accounts.Role{accounts.RoleAgent}},
		tenderer: accounts.Principal{UserID: 12, OrgID: 3, OrgKind: accounts.OrgTenderer, Roles: []accounts.Role{accounts.RoleAgent}},
		bidder:   accounts.Principal{UserID: 13, OrgID: 4, OrgKind: accounts.OrgBidder, Roles: []accounts.Role{accounts.RoleBidder}},
		admin:    accounts.Principal{UserID: 1, Roles: []accounts.Role{accounts.RoleAdmin}},
	}
	return f
}

// announced creates a project with one section and publishes it with the
// given deadline (documents from now, for 7 days).
func (f *fixture) announced(t testing.TB, prequal bool, deadline time.Time) Section {
	t.Helper()
	ctx := context.Background()
	p, err := f.svc.CreateProject(ctx, f.agent, NewProject{Name: "项目", TendererOrgID: f.tendererOrg})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := f.svc.CreateSection(ctx, f.agent, p.ID, NewSection{Code: "B010101", Name: "货物", Kind: Goods, BudgetFen: 100, Rulebook: RulebookProcurement, Prequalification: prequal,
		EscrowThreshold: f.escrowK, EscrowHolders: f.escrowN})
	if err != nil {
		t.Fatal(err)
	}
	if f.beforePublish != nil {
		f.beforePublish(p.ID)
	}
	now := f.clock.Now()
	if _, err := f.svc.SaveAnnouncement(ctx, f.agent, sec.ID, AnnouncementInput{Title: "公告", Body: "正文", DocsFrom: now, DocsUntil: now.AddDate(0, 0, 7), Deadline: deadline}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ApproveAnnouncement(ctx, f.tenderer, sec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PublishAnnouncement(ctx, f.agent, sec.ID); err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.GetSection(ctx, f.agent, sec.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v.Section
}

func closeTask(t *testing.T, sec Section, deadline time.Time) jobs.Task {
	payload, _ := json.Marshal(closePayload{SectionID: sec.ID, DeadlineMS: deadline.UnixMilli()})
	return jobs.Task{Type: TaskClose, ID: CloseTaskID(sec.ID, deadline), Payload: payload}
}

func TestAccessRules(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newFixture(t, b)
			ctx := context.Background()
			for name, tc := range map[string]struct {
				actor accounts.Principal
				in    NewProject
				kind  apperr.Kind
			}{
				"other agency's project": {f.other, NewProject{Name: "x", TendererOrgID: 3, AgencyOrgID: 1}, apperr.Forbidden},
				"bidder":                 {f.bidder, NewProject{Name: "x", TendererOrgID: 3}, apperr.Forbidden},
				"tenderer not tenderer":  {f.agent, NewProject{Name: "x", TendererOrgID: 4}, apperr.Invalid},
				"unknown tenderer":       {f.agent, NewProject{Name: "x", TendererOrgID: 99}, apperr.NotFound},
				"no name":                {f.agent, NewProject{TendererOrgID: 3}, apperr.Invalid},
			} {
				if _, err := f.svc.CreateProject(ctx, tc.actor, tc.in); apperr.KindOf(err) != tc.kind {
					t.Errorf("%s: err %v, want %s", name, err, tc.kind)
				}
			}
			p, err := f.svc.CreateProject(ctx, f.agent, NewProject{Name: "项目", TendererOrgID: 3})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.CreateSection(ctx, f.other, p.ID, NewSection{Code: "A", Name: "n", Kind: Goods, BudgetFen: 1, Rulebook: RulebookEngineering}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("other agency adds a section: %v", err)
			}
			if _, err := f.svc.CreateSection(ctx, f.agent, p.ID, NewSection{Code: "A", Name: "n", Kind: "land", BudgetFen: 0, Rulebook: "x"}); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("bad section: %v", err)
			} else if e, _ := apperr.As(err); len(e.Fields) != 3 {
				t.Errorf("bad section fields: %v", e.Fields)
			}
			if _, err := f.svc.GetProject(ctx, f.bidder, p.ID); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("bidder reads project: %v", err)
			}
			if _, err := f.svc.GetProject(ctx, f.tenderer, p.ID); err != nil {
				t.Errorf("tenderer reads project: %v", err)
			}
		})
	}
}

func TestDeadlineJob(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newFixture(t, b)
			ctx := context.Background()
			deadline := sh("2026-11-23 09:30") // Monday; 20 days after 11-02 is Sunday 11-22
			sec := f.announced(t, true, deadline)
			if _, ok := f.queue.tasks[CloseTaskID(sec.ID, deadline)]; !ok {
				t.Fatalf("no close task: %v", f.queue.tasks)
			}
			// Early: the task for the current deadline asks to be retried.
			f.clock.Set(deadline.Add(-time.Millisecond))
			if err := f.svc.handleClose(ctx, closeTask(t, sec, deadline)); !apperr.Is(err, apperr.Unavailable) {
				t.Fatalf("early close: %v", err)
			}
			// Prequalification: a clarification 1 day before pushes 3 days (to Wednesday 11-25).
			f.clock.Set(sh("2026-11-22 10:00"))
			if _, err := f.svc.Clarify(ctx, f.agent, sec.ProjectID, ClarificationInput{Title: "t", Body: "b", AffectsPreparation: true}); err != nil {
				t.Fatal(err)
			}
			moved := sh("2026-11-25 09:30")
			// The stale task does nothing and does not ask for a retry.
			f.clock.Set(deadline)
			if err := f.svc.handleClose(ctx, closeTask(t, sec, deadline)); err != nil {
				t.Fatalf("stale task: %v", err)
			}
			if n, err := f.svc.Sweep(ctx); err != nil || n != 0 {
				t.Fatalf("sweep before the moved deadline: %d %v", n, err)
			}
			f.clock.Set(moved)
			if err := f.svc.handleClose(ctx, closeTask(t, sec, moved)); err != nil {
				t.Fatal(err)
			}
			// At the deadline the close waits ArrivalGrace for finalizes that
			// arrived in time to register, and schedules its re-check.
			recheck, ok := f.queue.tasks[CloseTaskID(sec.ID, moved)+":"+strconv.FormatInt(moved.Add(ArrivalGrace).UnixMilli(), 10)]
			if v, _ := f.svc.GetSection(ctx, f.agent, sec.ID); !ok || v.State != StateAnnounced || !recheck.RunAt.Equal(moved.Add(ArrivalGrace)) {
				t.Fatalf("at the deadline: state %s, re-check %+v (%v)", v.State, recheck, ok)
			}
			f.clock.Set(moved.Add(ArrivalGrace))
			if err := f.svc.handleClose(ctx, recheck); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.handleClose(ctx, closeTask(t, sec, moved)); err != nil {
				t.Fatalf("second run must be a no-op: %v", err)
			}
			// Closed at the moved deadline, and, with no bids, failed by the same job.
			v, _ := f.svc.GetSection(ctx, f.agent, sec.ID)
			if v.State != StateFailed || !v.Deadline.Equal(moved) || v.FailReason == nil {
				t.Fatalf("after close: %+v", v.Section)
			}
			if _, err := f.svc.Cancel(ctx, f.agent, sec.ID, "预算调整"); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("cancel a failed section: %v", err)
			}
			f.clock.Set(sh("2026-11-02 10:00"))
			other := f.announced(t, true, deadline)
			if _, err := f.svc.Cancel(ctx, f.agent, other.ID, ""); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("cancel without reason: %v", err)
			}
			if c, err := f.svc.Cancel(ctx, f.agent, other.ID, "预算调整"); err != nil || c.State != StateCancelled {
				t.Fatalf("cancel: %v", err)
			}
			if _, err := f.svc.Cancel(ctx, f.agent, other.ID, "again"); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("cancel twice: %v", err)
			}
		})
	}
}

func TestPausedSectionDoesNotClose(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newFixture(t, b)
			ctx := context.Background()
			deadline := sh("2026-11-23 09:30")
			sec := f.announced(t, false, deadline)
			if _, err := f.svc.RaiseObjection(ctx, f.agent, sec.ID, "x"); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("agent objects: %v", err)
			}
			o1, err := f.svc.RaiseObjection(ctx, f.bidder, sec.ID, "一")
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Hour)
			o2, err := f.svc.RaiseObjection(ctx, f.bidder, sec.ID, "二")
			if err != nil {
				t.Fatal(err)
			}
			// Past the original deadline while paused: nothing closes.
			f.clock.Set(deadline.Add(time.Hour))
			if n, err := f.svc.Sweep(ctx); err != nil || n != 0 {
				t.Fatalf("sweep while paused: %d %v", n, err)
			}
			if _, err := f.svc.AnswerObjection(ctx, f.other, o1.ID, "a"); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("other agency answers: %v", err)
			}
			if _, err := f.svc.AnswerObjection(ctx, f.agent, o1.ID, "a"); err != nil {
				t.Fatal(err)
			}
			if v, _ := f.svc.GetSection(ctx, f.agent, sec.ID); !v.Paused() {
				t.Fatal("one objection still open: must stay paused")
			}
			if _, err := f.svc.AnswerObjection(ctx, f.agent, o1.ID, "a"); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("answer twice: %v", err)
			}
			if _, err := f.svc.AnswerObjection(ctx, f.agent, o2.ID, "b"); err != nil {
				t.Fatal(err)
			}
			pause := f.clock.Now().Sub(sh("2026-11-02 09:00"))
			v, _ := f.svc.GetSection(ctx, f.agent, sec.ID)
			if v.Paused() || !v.Deadline.Equal(deadline.Add(pause)) {
				t.Fatalf("after answers: paused=%v deadline %s, want %s", v.Paused(), v.Deadline, deadline.Add(pause))
			}
			if _, ok := f.queue.tasks[CloseTaskID(sec.ID, *v.Deadline)]; !ok {
				t.Fatal("no close task for the moved deadline")
			}
			f.clock.Set(v.Deadline.Add(ArrivalGrace))
			if n, err := f.svc.Sweep(ctx); err != nil || n != 1 {
				t.Fatalf("sweep at the moved deadline: %d %v", n, err)
			}
		})
	}
}

func TestPublicListing(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newFixture(t, b)
			ctx := context.Background()
			var ids []int64
			for i := 0; i < 3; i++ {
				sec := f.announced(t, false, f.clock.Now().AddDate(0, 0, 30))
				ids = append(ids, sec.ID)
				f.clock.Advance(24 * time.Hour)
			}
			page, err := f.svc.ListAnnouncements(ctx, Filter{Limit: 2})
			if err != nil || len(page.Items) != 2 || page.NextCursor == 0 || page.Items[0].SectionID != ids[2] {
				t.Fatalf("first page %+v %v", page, err)
			}
			next, err := f.svc.ListAnnouncements(ctx, Filter{Limit: 2, Cursor: page.NextCursor})
			if err != nil || len(next.Items) != 1 || next.NextCursor != 0 || next.Items[0].SectionID != ids[0] {
				t.Fatalf("second page %+v %v", next, err)
			}
			for name, tc := range map[string]struct {
				f    Filter
				want int
			}{
				"date range":   {Filter{From: "2026-11-03", To: "2026-11-03"}, 1},
				"keyword":      {Filter{Keyword: "公告"}, 3},
				"like escaped": {Filter{Keyword: "%"}, 0},
				"region":       {Filter{Region: "35"}, 0}, // projects made without a region
				"status":       {Filter{Status: StateClosed}, 0},
			} {
				got, err := f.svc.ListAnnouncements(ctx, tc.f)
				if err != nil || len(got.Items) != tc.want {
					t.Errorf("%s: %d items, want %d (%v)", name, len(got.Items), tc.want, err)
				}
			}
			if _, err := f.svc.ListAnnouncements(ctx, Filter{From: "11/03"}); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("bad date: %v", err)
			}
			if _, err := f.svc.PublicAnnouncement(ctx, 999); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("unknown announcement: %v", err)
			}
		})
	}
}
