package experts

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Create adds an expert to the pool (event "expert.created"; the log names
// the expert's ID, never the ID number or phones). Errors: apperr.Forbidden
// unless the actor is an administrator; apperr.Invalid with field errors;
// apperr.Conflict (code "duplicate_expert") when the ID number is already
// in the pool.
func (s *Service) Create(ctx context.Context, actor accounts.Principal, in NewExpert) (Expert, error) {
	if err := requireAdmin(actor); err != nil {
		return Expert{}, err
	}
	if err := in.validate(); err != nil {
		return Expert{}, err
	}
	var e Expert
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var created bool
		var err error
		e, created, err = s.upsert(ctx, actor, in, false)
		if err == nil && !created {
			err = apperr.New(apperr.Conflict, "该身份证号的专家已在专家库中", "an expert with this ID number is already in the pool").
				WithCode("duplicate_expert").WithField("idNumber", "duplicate")
		}
		return err
	})
	return e, err
}

// Update replaces the details of expert id (status is left alone). Errors:
// apperr.Forbidden, apperr.Invalid, apperr.NotFound, and apperr.Conflict
// when the new ID number belongs to another expert.
func (s *Service) Update(ctx context.Context, actor accounts.Principal, id int64, in NewExpert) (Expert, error) {
	if err := requireAdmin(actor); err != nil {
		return Expert{}, err
	}
	if err := in.validate(); err != nil {
		return Expert{}, err
	}
	var e Expert
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.st.expert(ctx, id, true)
		if err != nil {
			return err
		}
		if other, ok, err := s.st.expertByHash(ctx, s.keyed("id", in.IDNumber)); err != nil {
			return err
		} else if ok && other.ID != id {
			return apperr.New(apperr.Conflict, "该身份证号属于另一位专家", "this ID number belongs to another expert").
				WithCode("duplicate_expert").WithField("idNumber", "duplicate")
		}
		e, err = s.write(ctx, actor, cur, in, "expert.updated")
		return err
	})
	return e, err
}

// unknownStart stands for "employed since an unknown date".
var unknownStart = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// upsert creates the expert, or when its ID number is known and update is
// true, rewrites it; created tells which. It runs in ctx's transaction.
func (s *Service) upsert(ctx context.Context, actor accounts.Principal, in NewExpert, update bool) (Expert, bool, error) {
	cur, ok, err := s.st.expertByHash(ctx, s.keyed("id", in.IDNumber))
	if err != nil || (ok && !update) {
		return cur, false, err
	}
	if ok {
		e, err := s.write(ctx, actor, cur, in, "expert.updated")
		return e, false, err
	}
	e, err := s.write(ctx, actor, Expert{Status: Active, CreatedAt: s.now()}, in, "expert.created")
	return e, true, err
}

// write stores in over e (new when e.ID is 0) with its employment history.
func (s *Service) write(ctx context.Context, actor accounts.Principal, e Expert, in NewExpert, event string) (Expert, error) {
	phones, _ := json.Marshal(in.Phones)
	e.IDHash, e.Name, e.IDMask, e.PhoneMask = s.keyed("id", in.IDNumber), in.Name, maskID(in.IDNumber), maskPhones(in.Phones)
	e.EmployerUSCC, e.EmployerName, e.Region, e.Title, e.Level = in.EmployerUSCC, in.EmployerName, in.Region, in.Title, in.Level
	e.Category, e.Specialties, e.UpdatedAt = in.Category, in.Specialties, s.now()
	isNew := e.ID == 0
	if isNew {
		e.IDNumber, e.Phones = "pending", "pending" // sealed below, bound to the row ID
		if err := s.st.insert(ctx, &e); err != nil {
			return e, err
		}
	} else if err := s.st.deleteEmployments(ctx, e.ID); err != nil {
		return e, err
	}
	e.IDNumber = s.fields.Seal([]byte(in.IDNumber), "experts.id_number:"+strconv.FormatInt(e.ID, 10))
	e.Phones = s.fields.Seal(phones, "experts.phones:"+strconv.FormatInt(e.ID, 10))
	if err := s.st.save(ctx, &e); err != nil {
		return e, err
	}
	if err := s.st.setSpecialties(ctx, e.ID, e.Specialties); err != nil {
		return e, err
	}
	jobs := []Employment{{ExpertID: e.ID, EmployerUSCC: in.EmployerUSCC, EmployerName: in.EmployerName, From: unknownStart}}
	if in.EmployedSince != nil {
		jobs[0].From = in.EmployedSince.UTC()
	}
	for _, j := range in.PastEmployers {
		until := j.Until.UTC()
		jobs = append(jobs, Employment{ExpertID: e.ID, EmployerUSCC: strings.ToUpper(j.EmployerUSCC), EmployerName: j.EmployerName, From: j.From.UTC(), Until: &until})
	}
	if err := s.st.insert(ctx, &jobs); err != nil {
		return e, err
	}
	_, err := s.events.Append(ctx, eventlog.Entry{Type: event, Subject: expertRef(e.ID), Actor: actor.Actor(),
		Payload: map[string]any{"region": e.Region, "category": e.Category, "specialties": e.Specialties}})
	return e, err
}

// Get returns expert id, masked, with employment history and leaves.
// Errors: apperr.Forbidden unless the actor is an administrator, apperr.NotFound.
func (s *Service) Get(ctx context.Context, actor accounts.Principal, id int64) (ExpertView, error) {
	if err := requireAdmin(actor); err != nil {
		return ExpertView{}, err
	}
	e, err := s.st.expert(ctx, id, false)
	if err != nil {
		return ExpertView{}, err
	}
	jobs, err := s.st.employments(ctx, []int64{id})
	if err != nil {
		return ExpertView{}, err
	}
	lv, err := s.st.leaves(ctx, []int64{id})
	return ExpertView{Expert: e, Employments: jobs, Leaves: lv}, err
}

// ExpertPage is one page of the pool; Next is the cursor of the next page
// (0 at the end).
type ExpertPage struct {
	Experts []Expert `json:"experts"`
	Total   int64    `json:"total"`
	Next    int64    `json:"next,omitempty"`
}

// List returns up to limit (1–500, default 100) experts after the cursor,
// masked, optionally of one status. Errors: apperr.Forbidden unless the
// actor is an administrator; apperr.Invalid for an unknown status.
func (s *Service) List(ctx context.Context, actor accounts.Principal, after int64, limit int, status Status) (ExpertPage, error) {
	if err := requireAdmin(actor); err != nil {
		return ExpertPage{}, err
	}
	if status != "" && status != Active && status != Suspended && status != Blacklisted {
		return ExpertPage{}, apperr.New(apperr.Invalid, "状态应为 active、suspended 或 blacklisted", "status must be active, suspended or blacklisted").WithField("status", "unknown")
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	list, err := s.st.experts(ctx, after, limit, status)
	if err != nil {
		return ExpertPage{}, err
	}
	total, err := s.st.countExperts(ctx)
	page := ExpertPage{Experts: list, Total: total}
	if len(list) == limit {
		page.Next = list[len(list)-1].ID
	}
	return page, err
}

// StatusChange suspends (Until required), blacklists (Reason required) or
// reinstates an expert.
type StatusChange struct {
	Status Status     `json:"status"`
	Until  *time.Time `json:"until,omitempty"`
	Reason string     `json:"reason,omitempty"`
}

// SetStatus applies a status change (event "expert.status"). Errors:
// apperr.Forbidden, apperr.NotFound, apperr.Invalid when a suspension has no
// future end or a blacklisting no reason.
func (s *Service) SetStatus(ctx context.Context, actor accounts.Principal, id int64, ch StatusChange) (Expert, error) {
	if err := requireAdmin(actor); err != nil {
		return Expert{}, err
	}
	ch.Reason = strings.TrimSpace(ch.Reason)
	switch {
	case ch.Status == Suspended && (ch.Until == nil || !ch.Until.After(s.now())):
		return Expert{}, apperr.New(apperr.Invalid, "暂停须给出将来的结束时间", "a suspension needs an end in the future").WithField("until", "required, in the future")
	case ch.Status == Blacklisted && (ch.Reason == "" || utf8.RuneCountInString(ch.Reason) > 500):
		return Expert{}, apperr.New(apperr.Invalid, "列入黑名单须说明原因（不超过 500 字）", "blacklisting needs a reason (at most 500 characters)").WithField("reason", "required")
	case ch.Status != Active && ch.Status != Suspended && ch.Status != Blacklisted:
		return Expert{}, apperr.New(apperr.Invalid, "状态应为 active、suspended 或 blacklisted", "status must be active, suspended or blacklisted").WithField("status", "unknown")
	}
	var e Expert
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = s.st.expert(ctx, id, true); err != nil {
			return err
		}
		e.Status, e.SuspendedUntil, e.BlacklistReason, e.UpdatedAt = ch.Status, nil, nil, s.now()
		if ch.Status == Suspended {
			u := ch.Until.UTC()
			e.SuspendedUntil = &u
		}
		if ch.Status == Blacklisted {
			e.BlacklistReason = &ch.Reason
		}
		if err := s.st.save(ctx, &e); err != nil {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "expert.status", Subject: expertRef(id), Actor: actor.Actor(),
			Payload: map[string]any{"status": ch.Status, "until": e.SuspendedUntil}})
		return err
	})
	return e, err
}

// AddLeave records a period the expert is unavailable (event
// "expert.leave"). Errors: apperr.Forbidden, apperr.NotFound, apperr.Invalid
// when until is not after from.
func (s *Service) AddLeave(ctx context.Context, actor accounts.Principal, id int64, from, until time.Time, reason string) (Leave, error) {
	if err := requireAdmin(actor); err != nil {
		return Leave{}, err
	}
	if !until.After(from) || utf8.RuneCountInString(reason) > 200 {
		return Leave{}, apperr.New(apperr.Invalid, "请假结束时间须晚于开始时间，原因不超过 200 字", "a leave ends after it starts; reason at most 200 characters").WithField("until", "after from")
	}
	l := Leave{ExpertID: id, From: from.UTC(), Until: until.UTC(), Reason: strings.TrimSpace(reason)}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.st.expert(ctx, id, true); err != nil {
			return err
		}
		if err := s.st.insert(ctx, &l); err != nil {
			return err
		}
		_, err := s.events.Append(ctx, eventlog.Entry{Type: "expert.leave", Subject: expertRef(id), Actor: actor.Actor(),
			Payload: map[string]any{"from": l.From, "until": l.Until}})
		return err
	})
	return l, err
}
