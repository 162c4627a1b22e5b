package api

import (
	"context"
	"strconv"
	"strings"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/experts"
)

// secretEvents is every domain's table of secret event kinds (eventlog.Secret).
var secretEvents = eventlog.Secrets(bidding.SecretEvents, experts.SecretEvents, evaluation.SecretEvents)

// screenEvents returns evs as reader p may see them: an event outside the
// reader's scope, or of a secret kind not yet released to them, is
// withheld (eventlog.Event.Withhold). The scope of an administrator is
// the whole log; a supervisor's is the events of the projects they
// supervise (bidding.Supervises); anyone else's is empty. An event whose
// project cannot be established is out of a supervisor's scope, and a
// secret event whose section cannot be established stays withheld.
// Errors are those of the domains' reads.
func (s *Server) screenEvents(ctx context.Context, p accounts.Principal, evs []eventlog.Event) ([]eventlog.Event, error) {
	if s.revealAll { // tests only: shows what the screen protects
		return evs, nil
	}
	facts, err := s.eventFacts(ctx, evs)
	if err != nil {
		return nil, err
	}
	out := make([]eventlog.Event, len(evs))
	for i, ev := range evs {
		if facts.readable(p, ev) {
			out[i] = ev
		} else {
			out[i] = ev.Withhold()
		}
	}
	return out, nil
}

// subjectFacts is what one page's subjects resolve to.
type subjectFacts struct {
	sections  map[int64]bidding.Disclosure
	projects  map[int64]bidding.Project
	draws     map[int64]experts.DrawOwner
	sessions  map[int64]int64  // evaluation session → section
	sms       map[string]int64 // SMS message id → draw
	supervise func(accounts.Principal, bidding.Project) bool
}

// where is what one event is about: its section and project when known,
// and its draw's supervisor of record.
type where struct {
	section    *bidding.Disclosure
	project    *bidding.Project
	supervisor int64
}

// readable decides one event for one reader.
func (f subjectFacts) readable(p accounts.Principal, ev eventlog.Event) bool {
	w := f.locate(ev.Subject)
	admin := p.Has(accounts.RoleAdmin)
	supervises := w.project != nil && f.supervise(p, *w.project)
	if !admin && !supervises {
		return false
	}
	secret, ok := secretEvents[ev.Type]
	switch {
	case !ok:
		return true
	case w.section == nil:
		return false
	case w.section.Released(secret.Release):
		return true
	case secret.RecordSupervisor && w.supervisor != 0 && w.supervisor == p.UserID && p.Has(accounts.RoleSupervisor):
		return true
	}
	return secret.ProjectSupervisors && supervises
}

// locate resolves a subject ("section:12", "draw:3", "sms:sms-7" …).
func (f subjectFacts) locate(subject string) where {
	kind, ref, _ := strings.Cut(subject, ":")
	id, _ := strconv.ParseInt(ref, 10, 64)
	var w where
	section := int64(0)
	switch kind {
	case "section":
		section = id
	case "project":
		if p, ok := f.projects[id]; ok {
			w.project = &p
		}
	case "evaluation":
		section = f.sessions[id]
	case "draw", "sms":
		if kind == "sms" {
			id = f.sms[ref]
		}
		if d, ok := f.draws[id]; ok {
			section, w.supervisor = d.SectionID, d.SupervisorUserID
		}
	}
	if d, ok := f.sections[section]; ok && section != 0 {
		w.section, w.project = &d, &d.Project
	}
	return w
}

// eventFacts reads, with a few queries, the facts about every subject of evs.
func (s *Server) eventFacts(ctx context.Context, evs []eventlog.Event) (subjectFacts, error) {
	f := subjectFacts{supervise: bidding.Supervises}
	ids := map[string][]int64{}
	var sms []string
	for _, ev := range evs {
		kind, ref, _ := strings.Cut(ev.Subject, ":")
		if kind == "sms" {
			sms = append(sms, ref)
			continue
		}
		if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
			ids[kind] = append(ids[kind], id)
		}
	}
	var err error
	// Each list is deduplicated: a page of a busy section names it a thousand times.
	uniq := func(kind string) []int64 {
		seen, out := map[int64]bool{}, ids[kind][:0:0]
		for _, id := range ids[kind] {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return out
	}
	if x := s.deps.Experts; x != nil {
		if f.sms, err = x.SMSDraws(ctx, sms); err != nil {
			return f, err
		}
		for _, d := range f.sms {
			ids["draw"] = append(ids["draw"], d)
		}
		if f.draws, err = x.DrawOwners(ctx, uniq("draw")); err != nil {
			return f, err
		}
		for _, d := range f.draws {
			ids["section"] = append(ids["section"], d.SectionID)
		}
	}
	if e := s.deps.Evaluation; e != nil {
		if f.sessions, err = e.SessionSections(ctx, uniq("evaluation")); err != nil {
			return f, err
		}
		for _, sec := range f.sessions {
			ids["section"] = append(ids["section"], sec)
		}
	}
	if b := s.deps.Bidding; b != nil {
		if f.sections, err = b.DisclosureOf(ctx, uniq("section")); err != nil {
			return f, err
		}
		if f.projects, err = b.ProjectsByID(ctx, uniq("project")); err != nil {
			return f, err
		}
	}
	return f, nil
}
