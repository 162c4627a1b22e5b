package experts

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// MaxPublicValue is the longest public random value a supervisor may enter.
const MaxPublicValue = 200

// EnterPublicValue records the supervisor's public random value and draws:
// a tree head is signed over the log that holds the draw's commitment, the
// seed is SM3(secret ‖ value ‖ that head) (DRAW.md), each group's
// candidates are ordered with the SM3 generator, and members and reserves
// are picked. The actor becomes the supervisor of record. The result is
// sealed at rest; the event "experts.drawn" records the value and the tree
// head, never the result. Errors: apperr.Forbidden unless the actor is a
// supervisor; apperr.Invalid for an empty or overlong value;
// apperr.NotFound; apperr.Conflict (code "draw_already_drawn") when the draw
// is done, ("group_unfilled") when the one-per-employer rule leaves a group
// short (the draw is then recorded as unfilled, and a new one may be
// requested); apperr.Unavailable when no signing key is configured.
func (s *Service) EnterPublicValue(ctx context.Context, actor accounts.Principal, drawID int64, value string) (DrawResult, error) {
	if err := requireSupervisor(actor); err != nil {
		return DrawResult{}, err
	}
	value = strings.TrimSpace(value)
	if value == "" || utf8.RuneCountInString(value) > MaxPublicValue {
		return DrawResult{}, apperr.Newf(apperr.Invalid, "请输入随机数（不超过 %d 字）", "enter the random value (at most %d characters)", MaxPublicValue).WithField("value", "required")
	}
	var out DrawResult
	var unfilled error
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		unfilled = nil
		d, err := s.st.draw(ctx, drawID, true)
		if err != nil {
			return err
		}
		if d.State != DrawCommitted {
			return apperr.New(apperr.Conflict, "该次抽取已完成", "this draw has been made already").WithCode("draw_already_drawn")
		}
		secret, cands, err := s.openCommitted(d)
		if err != nil {
			return err
		}
		head, err := s.tree.SignHead(ctx)
		if err != nil {
			return err
		}
		res, err := Select(d.Request.Groups, cands, notary.DrawSeed(secret, value, head.TreeHead))
		if apperr.Is(err, apperr.Conflict) {
			// The one-per-employer rule left a group short: record the
			// failed draw (its value and head stay verifiable) so that the
			// agent may request another; the error goes back after commit.
			unfilled = err
			d.State, d.PublicValue, d.STH, d.SupervisorUserID = DrawUnfilled, &value, &head.SignedTreeHead, &actor.UserID
			if err := s.st.save(ctx, &d); err != nil {
				return err
			}
			_, err := s.events.Append(ctx, eventlog.Entry{Type: "experts.draw_unfilled", Subject: drawRef(d.ID), Actor: actor.Actor(),
				Payload: map[string]any{"drawId": d.ID, "sectionId": d.SectionID, "publicValue": value, "treeSize": head.TreeSize}})
			return err
		}
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(res)
		sealed, now, sup := s.fields.Seal(raw, d.label("result")), s.now(), actor.UserID
		d.State, d.PublicValue, d.STH, d.Result, d.SupervisorUserID, d.DrawnAt = DrawDone, &value, &head.SignedTreeHead, &sealed, &sup, &now
		if err := s.st.save(ctx, &d); err != nil {
			return err
		}
		var hist []historyRow
		tag := s.projectTag(d.ProjectID)
		for _, g := range res.Groups {
			for _, id := range append(append([]int64(nil), g.Members...), g.Reserves...) {
				hist = append(hist, historyRow{ExpertID: id, ProjectTag: tag, DrawnAt: now})
			}
		}
		if err := s.st.insertHistory(ctx, hist); err != nil {
			return err
		}
		if _, err := s.events.Append(ctx, eventlog.Entry{Type: "experts.drawn", Subject: drawRef(d.ID), Actor: actor.Actor(),
			Payload: map[string]any{"drawId": d.ID, "sectionId": d.SectionID, "publicValue": value, "treeSize": head.TreeSize,
				"rootHash": head.RootHash.String(), "headTimestamp": head.Timestamp}}); err != nil {
			return err
		}
		out, err = s.resultView(ctx, d, res)
		return err
	})
	if err == nil && unfilled != nil {
		return DrawResult{}, unfilled
	}
	return out, err
}

// openCommitted unseals a draw's secret and candidate list.
func (s *Service) openCommitted(d drawRow) ([]byte, []notary.DrawCandidate, error) {
	secret, err := s.fields.Open(d.Secret, d.label("secret"))
	if err != nil {
		return nil, nil, err
	}
	raw, err := s.fields.Open(d.Candidates, d.label("candidates"))
	if err != nil {
		return nil, nil, err
	}
	cands, err := decodeCandidates(raw)
	return secret, cands, err
}

// openResult unseals a drawn draw's result.
func (s *Service) openResult(d drawRow) (Result, error) {
	var res Result
	if d.Result == nil {
		return res, apperr.New(apperr.Conflict, "尚未抽取", "the draw has not been made yet").WithCode("draw_not_drawn")
	}
	raw, err := s.fields.Open(*d.Result, d.label("result"))
	if err == nil {
		err = json.Unmarshal(raw, &res)
	}
	return res, err
}

// Member is a drawn expert as the supervisor of record sees it: phones
// masked (the call campaign reads them unmasked inside the system).
type Member struct {
	ExpertID     int64    `json:"expertId"`
	Name         string   `json:"name"`
	Phones       string   `json:"phones"`
	EmployerName string   `json:"employerName"`
	Region       string   `json:"region"`
	Title        string   `json:"title"`
	Category     Category `json:"category"`
}

// GroupMembers is one group of a result with people's names.
type GroupMembers struct {
	Group    Group    `json:"group"`
	Members  []Member `json:"members"`
	Reserves []Member `json:"reserves"`
}

// DrawResult is a drawn list.
type DrawResult struct {
	Draw   Draw           `json:"draw"`
	Groups []GroupMembers `json:"groups"`
}

func (s *Service) resultView(ctx context.Context, d drawRow, res Result) (DrawResult, error) {
	out := DrawResult{Draw: d.view()}
	people := func(ids []int64) ([]Member, error) {
		ms := []Member{}
		for _, id := range ids {
			e, err := s.st.expert(ctx, id, false)
			if err != nil {
				return nil, err
			}
			ms = append(ms, Member{ExpertID: e.ID, Name: e.Name, Phones: e.PhoneMask, EmployerName: e.EmployerName,
				Region: e.Region, Title: e.Title, Category: e.Category})
		}
		return ms, nil
	}
	for i, g := range res.Groups {
		m, err := people(g.Members)
		if err != nil {
			return out, err
		}
		r, err := people(g.Reserves)
		if err != nil {
			return out, err
		}
		out.Groups = append(out.Groups, GroupMembers{Group: d.Request.Groups[i], Members: m, Reserves: r})
	}
	return out, nil
}
