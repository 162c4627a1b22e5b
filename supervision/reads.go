package supervision

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// MaxList is the most rows one list returns.
const MaxList = 10000

func clampList(n int) int {
	if n <= 0 || n > MaxList {
		return MaxList
	}
	return n
}

// scope is the supervising departments a supervisor sees: nil for all.
func scope(actor accounts.Principal) []int64 {
	if platformWide(actor) {
		return nil
	}
	return []int64{actor.OrgID}
}

func requireSupervisor(actor accounts.Principal) error {
	if actor.UserID == 0 || !actor.Has(accounts.RoleSupervisor) {
		return apperr.New(apperr.Forbidden, "只有监察人员可以查看", "only supervisors may see this").WithCode("supervisor_required")
	}
	return nil
}

// Board returns the open cases and sections with their lights, newest
// change first, within the supervisor's departments. Errors:
// apperr.Forbidden unless the actor is a supervisor; apperr.Invalid for an
// unknown kind or light.
func (s *Service) Board(ctx context.Context, actor accounts.Principal, f SubjectFilter) ([]Subject, error) {
	if err := requireSupervisor(actor); err != nil {
		return nil, err
	}
	if f.Kind != "" && f.Kind != "case" && f.Kind != "section" && f.Kind != "complaint" {
		return nil, apperr.Newf(apperr.Invalid, "未知类型 %q", "unknown kind %q", f.Kind).WithField("kind", "unknown")
	}
	if f.Light != "" && f.Light != Green && f.Light != Yellow && f.Light != Red {
		return nil, apperr.Newf(apperr.Invalid, "未知灯色 %q", "unknown light %q", f.Light).WithField("light", "unknown")
	}
	f.Depts, f.Limit = scope(actor), clampList(f.Limit)
	return s.st.board(ctx, f)
}

// BoardVersion is what changes whenever the board would: the time of the
// latest change to any watched subject (a light, an opening, a closing),
// read through an index, so that live boards can ask for it every second.
// Errors: apperr.Forbidden unless a supervisor; those of storage.
func (s *Service) BoardVersion(ctx context.Context, actor accounts.Principal) (string, error) {
	if err := requireSupervisor(actor); err != nil {
		return "", err
	}
	return s.st.boardVersion(ctx)
}

// Warnings returns warnings, newest first: a supervisor's within their
// departments, an officer's or agent's those addressed to their office.
// Errors: apperr.Forbidden for anyone else.
func (s *Service) Warnings(ctx context.Context, actor accounts.Principal, f WarningFilter) ([]Warning, error) {
	f.Limit = clampList(f.Limit)
	switch {
	case actor.UserID != 0 && actor.Has(accounts.RoleSupervisor):
		f.Depts = scope(actor)
	case inOffice(actor, actor.OrgID):
		f.Office = actor.OrgID
	default:
		return nil, apperr.New(apperr.Forbidden, "无权查看预警", "you may not see warnings").WithCode("forbidden")
	}
	return s.st.warnings(ctx, f)
}

// Step is one event of a trajectory. A withheld step (an event the
// reader may not read yet, see eventlog.Secret) keeps only its Seq.
type Step struct {
	Seq        int64     `json:"seq"`
	OccurredAt time.Time `json:"occurredAt"`
	Type       string    `json:"type"`
	Actor      string    `json:"actor"`
	Withheld   bool      `json:"withheld,omitempty"`
	// Detail holds the payload fields that place the step: the bid a
	// decryption was of (bidId), the evaluation room (roomId), so that the
	// timeline can name it and find the room's camera.
	Detail map[string]int64 `json:"detail,omitempty"`
}

// stepFields are the payload fields a step keeps in Detail.
var stepFields = []string{"bidId", "roomId"}

// StepOf is the step of event e.
func StepOf(e eventlog.Event) Step {
	if e.Withheld {
		return Step{Seq: e.Seq, Withheld: true}
	}
	st := Step{Seq: e.Seq, OccurredAt: e.OccurredAt, Type: e.Type, Actor: e.Actor}
	var p map[string]any
	if json.Unmarshal([]byte(e.Payload), &p) == nil {
		for _, k := range stepFields {
			if v, ok := p[k].(float64); ok {
				if st.Detail == nil {
					st.Detail = map[string]int64{}
				}
				st.Detail[k] = int64(v)
			}
		}
	}
	return st
}

// LimitView is a time limit of a trajectory with how much of it is used.
type LimitView struct {
	Timer
	UsedPercent int   `json:"usedPercent"`
	LightNow    Light `json:"lightNow"`
}

// Trajectory is a subject's whole course: every event about it from the
// log (an evaluation's too, for a section), its time limits against what
// they allowed, and its warnings.
type Trajectory struct {
	Subject Subject `json:"subject"`
	Steps   []Step  `json:"steps"`
	// Events are the log's events behind Steps, for a caller that must
	// screen a section's secret events before showing them (the API does,
	// and rebuilds Steps with StepOf). Not serialised.
	Events   []eventlog.Event `json:"-"`
	Limits   []LimitView      `json:"limits"`
	Warnings []Warning        `json:"warnings"`
	// Signals are a section's collusion signals (none for a case).
	Signals []Signal `json:"signals"`
	// Scan is the reading of a section's bids for the content signals,
	// once it is opened.
	Scan *ScanView `json:"scan,omitempty"`
	// Bidders names the organisations of the signals' evidence (filled
	// by the API from accounts: organisation ID → name).
	Bidders map[string]string `json:"bidders,omitempty"`
}

// Trajectory returns subject's trajectory. Errors: apperr.NotFound for a
// subject not watched; apperr.Forbidden (not_supervising) unless the actor
// supervises it.
func (s *Service) Trajectory(ctx context.Context, actor accounts.Principal, subject string) (Trajectory, error) {
	subj, err := s.st.subject(ctx, subject)
	if err != nil {
		return Trajectory{}, err
	}
	if !supervises(actor, subj) {
		return Trajectory{}, errNotSupervising()
	}
	evs, err := s.subjectEvents(ctx, subject)
	if err != nil {
		return Trajectory{}, err
	}
	tr := Trajectory{Subject: subj, Steps: make([]Step, 0, len(evs)), Events: evs}
	for _, e := range evs {
		tr.Steps = append(tr.Steps, StepOf(e))
	}
	ts, err := s.st.timers(ctx, subject)
	if err != nil {
		return Trajectory{}, err
	}
	now := s.now()
	for _, t := range ts {
		end := now
		if t.StoppedAt != nil {
			end = *t.StoppedAt
		}
		lv := LimitView{Timer: t, LightNow: t.Light}
		if total := t.DueAt.Sub(t.StartedAt); total > 0 && end.After(t.StartedAt) {
			lv.UsedPercent = int(end.Sub(t.StartedAt) * 100 / total)
		}
		tr.Limits = append(tr.Limits, lv)
	}
	if tr.Warnings, err = s.st.warnings(ctx, WarningFilter{Subject: subject, Limit: MaxList}); err != nil {
		return Trajectory{}, err
	}
	if tr.Signals, err = s.st.signals(ctx, subject); err != nil {
		return Trajectory{}, err
	}
	if tr.Signals, err = s.openSignals(tr.Signals); err != nil {
		return Trajectory{}, err
	}
	return tr, s.scanView(ctx, &tr)
}

// scanView adds the section's scan and the documents it read.
func (s *Service) scanView(ctx context.Context, tr *Trajectory) error {
	sc, err := s.st.scan(ctx, tr.Subject.Subject)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	tr.Scan = &ScanView{State: sc.State, Attempts: sc.Attempts, LastError: sc.LastError, DoneAt: sc.DoneAt}
	tr.Scan.Documents, err = s.st.documents(ctx, sc.Subject)
	return err
}

// subjectEvents reads the subject's events from the log; a section's
// include those of its evaluation sessions, named by section.evaluating.
func (s *Service) subjectEvents(ctx context.Context, subject string) ([]eventlog.Event, error) {
	evs, err := s.allAbout(ctx, subject)
	if err != nil || !strings.HasPrefix(subject, "section:") {
		return evs, err
	}
	var out []eventlog.Event
	for _, e := range evs {
		out = append(out, e)
		if e.Type != "section.evaluating" {
			continue
		}
		var p struct {
			SessionID int64 `json:"sessionId"`
		}
		if jsonInto(e.Payload, &p) && p.SessionID != 0 {
			more, err := s.allAbout(ctx, "evaluation:"+itoa(p.SessionID))
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
	}
	sortBySeq(out)
	return out, nil
}

func (s *Service) allAbout(ctx context.Context, subject string) ([]eventlog.Event, error) {
	var out []eventlog.Event
	after := int64(0)
	for {
		page, err := s.events.SubjectAfter(ctx, subject, after, eventlog.MaxPage)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < eventlog.MaxPage {
			return out, nil
		}
		after = page[len(page)-1].Seq
	}
}
