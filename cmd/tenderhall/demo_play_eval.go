package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/experts"
)

func (p *player) evalPath(suffix string) string {
	return "/api/v1/evaluations/" + strconv.FormatInt(p.session, 10) + suffix
}

var roomCode = regexp.MustCompile(`验证码：(\d{6})`)

// enterRoom: the agent opens the session at the evaluation time; each
// member reads the one-time code from the (simulated) SMS, signs in from
// the room, signs the avoidance declaration and votes for the chair.
func (p *player) enterRoom(ctx context.Context) error {
	p.say("评标当天：代理机构开启评标室，专家凭短信验证码在评标室签到、签署回避声明、推选组长 / the evaluation room opens; experts sign in with their SMS code")
	if err := p.advanceTo(ctx, p.evaluationAt.Add(-30*time.Minute)); err != nil {
		return err
	}
	var v evaluation.SessionView
	if err := p.agent.call(ctx, http.MethodPost, p.sectionPath("/evaluation"), evaluation.StartRequest{DrawID: p.draw, RoomID: p.room}, &v); err != nil {
		return err
	}
	p.session = v.ID
	for _, m := range v.Members {
		if m.Name != "" {
			return fmt.Errorf("the agent sees expert %q's name before the award", m.Name)
		}
	}
	members := p.committee(v)
	if err := expect(len(members) == 5, "%d members seated, want 5", len(members)); err != nil {
		return err
	}
	if p.setupToken != "" { // the embedded server trusts the play's loopback proxy
		err := p.callFrom(ctx, members[0].c, "203.0.113.9", http.MethodGet, p.evalPath(""), nil, nil)
		if err := refused(err, "outside_room"); err != nil {
			return fmt.Errorf("a request from outside the room: %w", err)
		}
		p.note("评标室网络之外（203.0.113.9）的请求被拒绝并记录（outside_room）")
	}
	for _, x := range members {
		if err := p.signInExpert(ctx, x); err != nil {
			return fmt.Errorf("%s: %w", x.name, err)
		}
	}
	for _, x := range members {
		if err := x.c.call(ctx, http.MethodPost, p.evalPath("/votes"), api.VoteRequest{Seat: members[0].seat}, &v); err != nil {
			return err
		}
	}
	if err := expect(v.ChairSeat != nil && *v.ChairSeat == members[0].seat && v.Phase == evaluation.PhaseReview, "after the vote: chair %v, phase %s", v.ChairSeat, v.Phase); err != nil {
		return err
	}
	p.members = members
	p.note("5 名成员签到并签署回避声明；评委%d 当选组长", members[0].seat)
	if err := p.chairSeesSignals(ctx); err != nil {
		return err
	}
	return p.namesSealed(ctx)
}

// committee returns the play's experts seated as members, in seat order:
// each asks the session for its own seat.
func (p *player) committee(v evaluation.SessionView) []*playExpert {
	seats := map[int]*playExpert{}
	for _, x := range p.experts {
		var sv evaluation.SessionView
		if err := x.c.call(context.Background(), http.MethodGet, p.evalPath(""), nil, &sv); err == nil && sv.You != nil && sv.You.Role == evaluation.RoleMember {
			x.seat = sv.You.Seat
			seats[x.seat] = x
		}
	}
	var out []*playExpert
	for _, m := range v.Members {
		if x := seats[m.Seat]; x != nil {
			out = append(out, x)
		}
	}
	return out
}

// signInExpert reads the code from the expert's simulated SMS, signs in
// and signs the avoidance declaration.
func (p *player) signInExpert(ctx context.Context, x *playExpert) error {
	var inbox []experts.InboxMessage
	if err := x.c.call(ctx, http.MethodGet, "/api/v1/sandbox/inbox", nil, &inbox); err != nil {
		return err
	}
	code := ""
	for _, m := range inbox {
		if c := roomCode.FindStringSubmatch(m.Text); c != nil {
			code = c[1]
		}
	}
	if code == "" {
		return fmt.Errorf("no room code in the SMS inbox (%d messages)", len(inbox))
	}
	if err := x.c.call(ctx, http.MethodPost, p.evalPath("/signin"), api.SignInCodeRequest{Code: code}, nil); err != nil {
		return err
	}
	st, _ := json.Marshal(evaluation.Statement{SessionID: p.session, Seat: x.seat, Relationships: []string{}})
	sig, err := x.key.Sign(append([]byte(evaluation.DeclarationLabel), st...))
	if err != nil {
		return err
	}
	return x.c.call(ctx, http.MethodPost, p.evalPath("/declaration"), api.DeclarationRequest{Statement: string(st), Signature: base64.StdEncoding.EncodeToString(sig)}, nil)
}

// reviewBids: three of five members find the highest bid unresponsive;
// the chair records its rejection, and the other four pass.
func (p *player) reviewBids(ctx context.Context) error {
	p.say("资格审查：多数成员认定报价最高的投标未实质性响应，组长记录否决 / the qualification review rejects one bid by majority")
	var v evaluation.SessionView
	if err := p.agent.call(ctx, http.MethodGet, p.evalPath(""), nil, &v); err != nil {
		return err
	}
	p.bids, p.rejected = v.Bids, highest(v)
	for i, x := range p.members {
		var es []evaluation.ReviewEntry
		for _, b := range v.Bids {
			for _, c := range []string{"Q1", "Q2", "Q3"} {
				e := evaluation.ReviewEntry{BidID: b.BidID, Criterion: c, Pass: true}
				if b.BidID == p.rejected && c == "Q3" && i < 3 {
					e = evaluation.ReviewEntry{BidID: b.BidID, Criterion: c, Reason: "工期承诺超出招标文件要求的最长工期"}
				}
				es = append(es, e)
			}
		}
		if err := x.c.call(ctx, http.MethodPut, p.evalPath("/review"), api.ReviewRequest{Entries: es, Submit: true}, nil); err != nil {
			return err
		}
	}
	var cs []evaluation.ConclusionInput
	for _, b := range v.Bids {
		c := evaluation.ConclusionInput{BidID: b.BidID, Valid: true}
		if b.BidID == p.rejected {
			c = evaluation.ConclusionInput{BidID: b.BidID, Statute: "not_responsive", Reason: "工期承诺未响应招标文件的实质性要求"}
		}
		cs = append(cs, c)
	}
	if err := p.members[0].c.call(ctx, http.MethodPost, p.evalPath("/conclusions"), api.ConclusionsRequest{Conclusions: cs}, &v); err != nil {
		return err
	}
	if err := expect(v.Phase == evaluation.PhaseScoring, "after the conclusions the phase is %s", v.Phase); err != nil {
		return err
	}
	p.note("%d 份投标通过审查，投标 %d 被否决（第五十一条第六项）", len(v.Bids)-1, p.rejected)
	return nil
}

// highest returns the bid with the highest price.
func highest(v evaluation.SessionView) int64 {
	var id, top int64
	for _, b := range v.Bids {
		if b.PriceFen > top {
			id, top = b.BidID, b.PriceFen
		}
	}
	return id
}

// namesSealed checks that the agent and a bidder read no committee
// member's name through any route of the section, the draw or the
// evaluation before the award.
func (p *player) namesSealed(ctx context.Context) error {
	paths := []string{p.sectionPath("/evaluation"), p.evalPath(""), p.evalPath("/report"), p.evalPath("/scores"), p.evalPath("/review"),
		p.evalPath("/flags"), p.evalPath("/clarifications"), p.drawPath(""), p.drawPath("/campaign"), p.drawPath("/result"),
		fmt.Sprintf("/api/v1/public/draws/%d/proof", p.draw), p.sectionPath("/room"), p.sectionPath("/notices"), p.sectionPath("/evaluation-clarifications")}
	for _, c := range []*bidClient{p.agent, p.bidders[0].c} {
		for _, path := range paths {
			body, _, _ := p.rawAny(ctx, c, path)
			for _, x := range p.members {
				if strings.Contains(string(body), x.name) {
					return fmt.Errorf("GET %s names committee member %s before the award", path, x.name)
				}
			}
		}
	}
	p.note("代理机构和投标人通过 %d 个接口均看不到评标委员会成员姓名", len(paths))
	return nil
}
