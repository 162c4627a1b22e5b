package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// publicize: the agent publishes the candidates for three days; a losing
// bidder objects and the agent answers.
func (p *player) publicize(ctx context.Context) error {
	p.say("中标候选人公示 3 日；一家投标人提出异议，代理机构答复 / the candidates are published; an objection is answered")
	var pub evaluation.Publicity
	if err := p.agent.call(ctx, http.MethodPost, p.sectionPath("/candidates"), api.PublicityRequest{Days: 3}, &pub); err != nil {
		return err
	}
	var public evaluation.Publicity
	if err := p.client("").call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/public/sections/%d/candidates", p.section), nil, &public); err != nil {
		return err
	}
	if err := expect(len(public.Candidates) == 3 && public.Candidates[0].BidID == p.candidateBid && public.Sandbox, "the public candidates %+v", public.Candidates); err != nil {
		return err
	}
	loser := p.bidderOf(public.Candidates[2].BidderOrgID)
	var o evaluation.AwardObjection
	if err := loser.c.call(ctx, http.MethodPost, p.sectionPath("/award-objections"), api.ObjectionRequest{Body: "第一中标候选人的项目经理目前有在建工程，请核实"}, &o); err != nil {
		return err
	}
	err := p.agent.call(ctx, http.MethodPost, p.sectionPath("/award"), evaluation.AwardRequest{}, nil)
	if err := refused(err, "publicity_running"); err != nil {
		return err
	}
	if err := p.agent.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/award-objections/%d/answer", o.ID),
		api.AnswerRequest{Answer: "经向住建部门核实，该项目经理无在建工程，异议不成立"}, nil); err != nil {
		return err
	}
	p.pubEnds = pub.EndsAt
	p.note("公示至 %s；%s 的异议已答复", shanghaiTime(pub.EndsAt), loser.name)
	return nil
}

func (p *player) bidderOf(org int64) *playBidder {
	for _, b := range p.bidders {
		if b.org == org {
			return b
		}
	}
	return &playBidder{}
}

// awardAndContract: after the publicity the agent issues the award; the
// winner reads its signed notice, the others their result notices; the
// draw's proof becomes public; the contract is recorded.
func (p *player) awardAndContract(ctx context.Context) error {
	p.say("公示期满定标：发出中标通知书和中标结果通知书，签订合同 / the award, the signed notices and the contract")
	if err := p.advanceTo(ctx, p.pubEnds.Add(time.Minute)); err != nil {
		return err
	}
	var a evaluation.Award
	if err := p.agent.call(ctx, http.MethodPost, p.sectionPath("/award"), evaluation.AwardRequest{}, &a); err != nil {
		return err
	}
	winner := p.bidderOf(a.WinnerOrgID)
	var mine []evaluation.SignedNotice
	if err := winner.c.call(ctx, http.MethodGet, p.sectionPath("/notices"), nil, &mine); err != nil {
		return err
	}
	if err := expect(len(mine) == 1 && mine[0].Kind == evaluation.NoticeAward, "the winner's notices %+v", mine); err != nil {
		return err
	}
	n, err := mine[0].Verify(p.platform)
	if err != nil {
		return err
	}
	pdf, err := p.raw(ctx, winner.c, fmt.Sprintf("/api/v1/notices/%d/pdf", mine[0].ID))
	if err != nil {
		return err
	}
	if err := expect(sm3hex(pdf) == mine[0].PDFDigest, "the notice PDF is not the one the platform signed"); err != nil {
		return err
	}
	p.note("中标人 %s，中标价 %s 元；中标通知书及其 PDF 的平台签名有效（%d 字节）", n.WinnerName, yuanOf(n.WinnerPriceFen), len(pdf))
	var all []evaluation.SignedNotice
	if err := p.agent.call(ctx, http.MethodGet, p.sectionPath("/notices"), nil, &all); err != nil {
		return err
	}
	if err := expect(len(all) == 5, "%d notices, want one for each of the 5 opened bids", len(all)); err != nil {
		return err
	}
	var proof experts.DrawProof
	if err := p.client("").call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/public/draws/%d/proof", p.draw), nil, &proof); err != nil {
		return err
	}
	if err := proof.Verify(p.platform); err != nil {
		return err
	}
	p.note("定标后抽取证明公开：%d 名候选人、种子与顺序可由 tenderhall verify draw 复算", len(proof.Candidates))
	now, err := p.now(ctx)
	if err != nil {
		return err
	}
	signedOn := now.In(clock.Shanghai).Format(time.DateOnly)
	if err := p.agent.call(ctx, http.MethodPost, p.sectionPath("/contract"), evaluation.ContractRequest{SignedOn: signedOn, AmountFen: a.PriceFen}, &a); err != nil {
		return err
	}
	var f bidding.SectionView
	if err := p.agent.call(ctx, http.MethodGet, p.sectionPath(""), nil, &f); err != nil {
		return err
	}
	if err := expect(f.State == bidding.StateContracted, "the section is %s after the contract", f.State); err != nil {
		return err
	}
	p.note("合同于 %s 签订，金额 %s 元；标段状态：已签合同", signedOn, yuanOf(a.PriceFen))
	return nil
}

// verify signs a tree head and runs `verify log` over everything the play
// produced, then checks that every step left its event.
func (p *player) verify(ctx context.Context) error {
	p.say("用 tenderhall verify log 核验透明日志 / the transparency log is verified")
	if err := p.admin.call(ctx, http.MethodPost, "/api/v1/log/heads", nil, nil); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "tenderhall-play-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lc := &logClient{base: p.base, token: p.admin.token, http: p.http}
	if err := p.e.verifyLog(ctx, lc, p.platform, filepath.Join(dir, "state.json"), 0); err != nil {
		return err
	}
	events, err := lc.events(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, ev := range events {
		seen[ev.Type] = true
	}
	for _, want := range []string{"bid.received", "section.closed", "section.opening", "section.opened", "experts.draw_committed",
		"experts.campaign_started", "section.evaluating", "evaluation.signed_in", "evaluation.chair_elected", "evaluation.concluded",
		"evaluation.deviation_flagged", "evaluation.flag_resolved", "evaluation.report_final", "award.candidates_published",
		"award.objection_answered", "award.issued", "award.contract_recorded", "section.contracted"} {
		if !seen[want] {
			return fmt.Errorf("no %s event in the log", want)
		}
	}
	p.note("日志中 %d 个事件，每一步都有记录", len(events))
	return nil
}
