package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// secrecyEnv is expertsEnv with the evaluation service, a project whose
// supervising department is the test supervisor's, a draw whose
// supervisor of record is that supervisor, an evaluation session, and two
// more supervisors: one of the platform (who watches every project) and
// one of another department.
type secrecyEnv struct {
	*expertsEnv
	section, project, draw, session, invitation int64
	readers                                     map[string]string // name → token
	raw                                         []eventlog.Event  // every event appended by the test
}

// The test's readers of the event routes, and what they are.
const (
	readerAdmin    = "admin"
	readerRecord   = "record-supervisor"   // the department's supervisor, supervisor of record of the draw
	readerPlatform = "platform-supervisor" // a supervisor of the platform organisation: every project
	readerOther    = "other-supervisor"    // a supervisor of another department: not this project
)

func newSecrecyEnv(t *testing.T, b dbtest.Backend) *secrecyEnv {
	x := newExpertsEnv(t, b)
	bid := x.srv.deps.Bidding
	x.srv.deps.Evaluation = evaluation.New(x.db, x.events, x.clock, bid, x.srv.deps.Experts, x.accounts, x.srv.deps.Calendar.Calendar)
	x.rebuild(t, func(*Deps) {})
	e := &secrecyEnv{expertsEnv: x, readers: map[string]string{readerAdmin: x.tokens[accounts.RoleAdmin], readerRecord: x.tokens[accounts.RoleSupervisor]}}
	ctx := context.Background()
	admin, agent := x.principal(accounts.RoleAdmin), x.principal(accounts.RoleAgent)
	for name, kind := range map[string]accounts.OrgKind{readerPlatform: accounts.OrgPlatform, readerOther: accounts.OrgDepartment} {
		o, err := x.accounts.CreateOrg(ctx, admin, accounts.NewOrg{Kind: kind, Name: "单位" + name, Region: "350100"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.accounts.CreateUser(ctx, admin, accounts.NewUser{Username: name, DisplayName: name, Password: testPassword,
			OrgID: o.ID, Roles: []accounts.Role{accounts.RoleSupervisor}}); err != nil {
			t.Fatal(err)
		}
		e.readers[name] = x.login(name)
	}
	tenderer, err := x.accounts.CreateOrg(ctx, admin, accounts.NewOrg{Kind: accounts.OrgTenderer, Name: "招标人", USCC: usccFor(t, "9135010000000001T"), Region: "350100"})
	if err != nil {
		t.Fatal(err)
	}
	dept := x.principal(accounts.RoleSupervisor).OrgID
	p, err := bid.CreateProject(ctx, agent, bidding.NewProject{Name: "实训楼", TendererOrgID: tenderer.ID, SupervisingOrgID: dept})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := bid.CreateSection(ctx, agent, p.ID, bidding.NewSection{Code: "A040303", Name: "施工", Kind: bidding.Engineering, BudgetFen: 1e8, Rulebook: bidding.RulebookEngineering})
	if err != nil {
		t.Fatal(err)
	}
	e.section, e.project = sec.ID, p.ID
	now := x.clock.Now()
	x.exec("INSERT INTO expert_draws (section_id, project_id, state, request, candidates, candidates_hash, candidate_count, secret, secret_commitment, supervisor_user_id, created_by, created_at) VALUES (?, ?, 'drawn', '{}', '', '', 0, '', '', ?, ?, ?)",
		sec.ID, p.ID, x.ids[accounts.RoleSupervisor], x.ids[accounts.RoleAgent], now)
	x.db.Conn(ctx).Raw("SELECT id FROM expert_draws WHERE section_id = ?", sec.ID).Scan(&e.draw)
	x.exec("INSERT INTO expert_invitations (draw_id, group_idx, position, expert_id, employer_uscc, status, created_at, updated_at) VALUES (?, 0, 0, 1, '', 'accepted', ?, ?)", e.draw, now, now)
	x.db.Conn(ctx).Raw("SELECT id FROM expert_invitations WHERE draw_id = ?", e.draw).Scan(&e.invitation)
	x.exec("INSERT INTO eval_rooms (name, location, networks, created_at, updated_at) VALUES ('评标室', '二楼', '[]', ?, ?)", now, now)
	var room int64
	x.db.Conn(ctx).Raw("SELECT id FROM eval_rooms").Scan(&room)
	x.exec("INSERT INTO eval_sessions (section_id, draw_id, room_id, phase, scheme, bids, seats, evaluation_at, place, started_by, started_at, updated_at) VALUES (?, ?, ?, 'review', '{}', '[]', '[]', ?, '评标室', ?, ?, ?)",
		sec.ID, e.draw, room, now, x.ids[accounts.RoleAgent], now, now)
	x.db.Conn(ctx).Raw("SELECT id FROM eval_sessions WHERE section_id = ?", sec.ID).Scan(&e.session)
	return e
}

// subjectOf is where an event of each domain's secret kinds is logged.
func (e *secrecyEnv) subjectOf(typ string) string {
	switch {
	case typ == "experts.sms_report":
		return fmt.Sprintf("sms:sms-%d", e.invitation)
	case strings.HasPrefix(typ, "experts."):
		return fmt.Sprintf("draw:%d", e.draw)
	case strings.HasPrefix(typ, "evaluation."):
		return fmt.Sprintf("evaluation:%d", e.session)
	}
	return fmt.Sprintf("section:%d", e.section)
}

// appendAll logs one event of every secret kind, each naming its secret
// in its payload, and the public events around them.
func (e *secrecyEnv) appendAll(t *testing.T) {
	ctx := context.Background()
	add := func(typ, subject string) {
		ev, err := e.events.Append(ctx, eventlog.Entry{Type: typ, Subject: subject, Actor: fmt.Sprintf("user:%d", e.ids[accounts.RoleBidder]),
			Payload: map[string]any{"secret": "SECRET-" + typ}})
		if err != nil {
			t.Fatal(err)
		}
		e.raw = append(e.raw, ev)
	}
	add("section.note", fmt.Sprintf("section:%d", e.section))
	add("project.note", fmt.Sprintf("project:%d", e.project))
	add("calendar.year_set", "calendar:2026")
	for typ := range secretEvents {
		add(typ, e.subjectOf(typ))
	}
}

// moveTo puts the section at one of the release stages.
func (e *secrecyEnv) moveTo(stage eventlog.Release) {
	now := e.clock.Now()
	switch stage {
	case "":
		e.exec("UPDATE bid_sections SET state = 'announced', deadline = ? WHERE id = ?", now.Add(24*time.Hour), e.section)
	case eventlog.AtDeadline:
		e.exec("UPDATE bid_sections SET state = 'opening', deadline = ? WHERE id = ?", now.Add(-time.Hour), e.section)
		e.exec("INSERT INTO opening_rooms (section_id, phase, bid_count, opened_at, window_ends_at) VALUES (?, 'decrypting', 3, ?, ?)", e.section, now, now.Add(time.Hour))
	case eventlog.AtResults:
		e.exec("UPDATE bid_sections SET state = 'evaluating' WHERE id = ?", e.section)
		e.exec("UPDATE opening_rooms SET phase = 'closed', results_at = ? WHERE section_id = ?", now, e.section)
	case eventlog.AtFinal:
		e.exec("UPDATE bid_sections SET state = 'awarded' WHERE id = ?", e.section)
	}
}

// stages is the release stages in order; "" is before the deadline.
var stages = []eventlog.Release{"", eventlog.AtDeadline, eventlog.AtResults, eventlog.AtFinal}

func reached(stage, release eventlog.Release) bool {
	for _, s := range stages {
		if s == release {
			return true
		}
		if s == stage {
			return false
		}
	}
	return false
}

// mayRead is the rulebook, written out here on its own: whether reader
// may read raw event ev at stage.
func (e *secrecyEnv) mayRead(reader string, ev eventlog.Event, stage eventlog.Release) bool {
	projectEvent := !strings.HasPrefix(ev.Subject, "calendar:")
	if reader == readerOther || (reader != readerAdmin && !projectEvent) {
		return false
	}
	s, secret := secretEvents[ev.Type]
	switch {
	case !secret || reached(stage, s.Release):
		return true
	case reader == readerAdmin:
		return false
	case strings.HasPrefix(ev.Type, "experts."):
		return reader == readerRecord
	case strings.HasPrefix(ev.Type, "evaluation."):
		return true // both supervisors watch this project's evaluation
	}
	return false
}

// violations reads every route that serves events as every role at the
// current stage and returns each way an answer breaks the rulebook.
func (e *secrecyEnv) violations(t *testing.T, stage eventlog.Release) []string {
	var bad []string
	for _, path := range []string{"/api/v1/log/events?from=1&limit=1000", "/api/v1/audit/events?from=1&limit=1000"} {
		for reader, token := range e.readers {
			var page LogEventPage
			resp := e.do("GET", path, token, nil)
			wantStatus(t, resp, http.StatusOK)
			decode(t, resp, &page)
			served := map[int64]eventlog.Event{}
			for _, ev := range page.Events {
				served[ev.Seq] = ev
			}
			for _, raw := range e.raw {
				got, ok := served[raw.Seq]
				want := raw
				if !e.mayRead(reader, raw, stage) {
					want = raw.Withhold()
				}
				switch {
				case !ok:
					bad = append(bad, fmt.Sprintf("%s: %s: event %d (%s) missing", path, reader, raw.Seq, raw.Type))
				case !got.OccurredAt.Equal(want.OccurredAt) || got.Type != want.Type || got.Subject != want.Subject || got.Actor != want.Actor ||
					got.Payload != want.Payload || got.IP != want.IP || got.Withheld != want.Withheld || got.LeafHash != raw.LeafHash:
					bad = append(bad, fmt.Sprintf("%s at %q: %s got event %d (%s) as %+v, want %+v", path, stage, reader, raw.Seq, raw.Type, got, want))
				}
			}
		}
		// Every other role is refused the event routes outright.
		for _, r := range []accounts.Role{accounts.RoleAgent, accounts.RoleBidder, accounts.RoleExpert, accounts.RoleOfficer, accounts.RoleApplicant} {
			if resp := e.do("GET", path, e.tokens[r], nil); resp.StatusCode != http.StatusForbidden {
				bad = append(bad, fmt.Sprintf("%s as %s: status %d", path, r, resp.StatusCode))
			}
		}
	}
	// The room's messages and stream carry no secret, at any stage, to anyone.
	for _, path := range []string{"/api/v1/sections/%d/room/messages", "/api/v1/sections/%d/room/stream"} {
		path = fmt.Sprintf(path, e.section)
		tokens := map[string]string{"anonymous": ""}
		for _, r := range accounts.Roles() {
			tokens[string(r)] = e.tokens[r]
		}
		for name, token := range e.readers {
			tokens[name] = token
		}
		for who, token := range tokens {
			body, _ := io.ReadAll(e.do("GET", path, token, nil).Body)
			if strings.Contains(string(body), "SECRET-") {
				bad = append(bad, fmt.Sprintf("%s as %s at %q reveals %.300s", path, who, stage, body))
			}
		}
	}
	return bad
}

// TestSecretEventsWithheldUntilReleased checks DESIGN.md §5's secrets on
// every route that serves events: for every secret kind of every domain,
// before and after its release moment, as every role, an event is served
// in full exactly when the reader could read its fact on the domain's own
// routes, else withheld with its seq and leaf hash only; the platform's
// audit over the withheld log still verifies, and notices a changed
// withheld leaf. With the screen off the same checks fail for every stage
// before the last.
func TestSecretEventsWithheldUntilReleased(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			e := newSecrecyEnv(t, b)
			e.moveTo("")
			e.appendAll(t)
			for _, stage := range stages {
				e.moveTo(stage)
				for _, v := range e.violations(t, stage) {
					t.Error(v)
				}
				// With the screen off, each kind not yet released must show up
				// as a violation: the checks above would catch its leak.
				e.srv.revealAll = true
				caught := strings.Join(e.violations(t, stage), "\n")
				for typ, s := range secretEvents {
					if !reached(stage, s.Release) && !strings.Contains(caught, "("+typ+")") {
						t.Errorf("at %q, with the screen off, %s leaks unnoticed", stage, typ)
					}
				}
				e.srv.revealAll = false
			}
			e.moveTo("") // everything secret again, for the audit
			e.auditWithheld(t)
		})
	}
}

// auditWithheld runs the offline audit on the log as the other
// department's supervisor reads it (every event withheld): it verifies,
// counts the withheld events, and reports a withheld leaf the server changed.
func (e *secrecyEnv) auditWithheld(t *testing.T) {
	ctx := context.Background()
	tree := e.srv.deps.Tree
	head, err := tree.SignHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var page LogEventPage
	decode(t, e.do("GET", "/api/v1/log/events?from=1&limit=1000", e.readers[readerOther], nil), &page)
	audit := func(evs []eventlog.Event) eventlog.Report {
		return eventlog.Audit{Events: evs, Heads: []notary.SignedTreeHead{head.SignedTreeHead}, Key: e.key.Public(), Prover: tree}.Run(ctx)
	}
	rep := audit(page.Events)
	if len(rep.Findings) != 0 || rep.Withheld != len(page.Events) || rep.Withheld < len(e.raw) {
		t.Fatalf("audit of the withheld log: %d withheld of %d, findings %v", rep.Withheld, len(page.Events), rep.Findings)
	}
	changed := append([]eventlog.Event(nil), page.Events...)
	last := len(changed) - 1
	changed[last].LeafHash = strings.Repeat("0", 64)
	rep = audit(changed)
	if len(rep.Findings) == 0 || rep.Findings[0].Seq != uint64(changed[last].Seq) {
		t.Fatalf("a changed withheld leaf went unnoticed: %v", rep.Findings)
	}
}

// TestLogDocumentListsEverySecretKind keeps eventlog/LOG.md's table of
// withheld events in step with the domains' declarations.
func TestLogDocumentListsEverySecretKind(t *testing.T) {
	raw, err := os.ReadFile("../eventlog/LOG.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for typ := range secretEvents {
		_, suffix, _ := strings.Cut(typ, ".")
		if !strings.Contains(doc, "`"+typ+"`") && !strings.Contains(doc, "`."+suffix+"`") {
			t.Errorf("eventlog/LOG.md does not list the secret kind %s", typ)
		}
	}
}
