package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/evaluation"
)

// sheet is member i's scores: subjective marks vary with the bid, the
// objective ones agree, and the third member marks one bid far below the
// others.
func (p *player) sheet(i int) []evaluation.ScoreEntry {
	var out []evaluation.ScoreEntry
	for j, b := range p.bids {
		if b.BidID == p.rejected {
			continue
		}
		t1 := evaluation.Points(1800 + 100*((j+i)%4))
		if i == 2 && j == 1 {
			t1 = 500 // 畸低: flagged
		}
		out = append(out, evaluation.ScoreEntry{BidID: b.BidID, Criterion: "T1", Points: t1},
			evaluation.ScoreEntry{BidID: b.BidID, Criterion: "T2", Points: evaluation.Points(1100 + 50*((j+2*i)%5))},
			evaluation.ScoreEntry{BidID: b.BidID, Criterion: "T3", Points: []evaluation.Points{500, 300}[j%2]},
			evaluation.ScoreEntry{BidID: b.BidID, Criterion: "C1", Points: 1000},
			evaluation.ScoreEntry{BidID: b.BidID, Criterion: "C2", Points: evaluation.Points(350 + 50*(j%3))})
	}
	return out
}

// scoreBids: every member scores alone; the deviation is flagged to the
// chair and the supervisor and its expert changes it with a reason.
func (p *player) scoreBids(ctx context.Context) error {
	p.say("独立评分：一名评委的主观分偏离平均分过大，被提示后说明理由并修改 / independent scoring; a deviating score is flagged and corrected with a reason")
	for i, x := range p.members {
		if err := x.c.call(ctx, http.MethodPut, p.evalPath("/scores"), api.ScoresRequest{Entries: p.sheet(i), Submit: true}, nil); err != nil {
			return fmt.Errorf("%s scoring: %w", x.name, err)
		}
	}
	var flags []evaluation.Flag
	if err := p.supervisor.call(ctx, http.MethodGet, p.evalPath("/flags"), nil, &flags); err != nil {
		return err
	}
	if err := expect(len(flags) == 1 && flags[0].Seat == p.members[2].seat, "flags %+v", flags); err != nil {
		return err
	}
	f := flags[0]
	p.note("评委%d 对投标 %d 的「%s」打 %s 分，平均分 %s：已提示组长和监督人员", f.Seat, f.BidID, f.Criterion, f.Points, f.Mean)
	fixed := evaluation.Points(1800)
	if err := p.members[2].c.call(ctx, http.MethodPost, p.evalPath(fmt.Sprintf("/flags/%d", f.ID)),
		evaluation.ResolveRequest{Points: &fixed, Reason: "复核施工组织设计后，认为原评分偏低，予以更正"}, nil); err != nil {
		return err
	}
	var v evaluation.SessionView
	if err := p.agent.call(ctx, http.MethodGet, p.evalPath(""), nil, &v); err != nil {
		return err
	}
	return expect(v.Phase == evaluation.PhaseReport && v.OpenFlags == 0, "after the correction: phase %s, %d flags open", v.Phase, v.OpenFlags)
}

// signReport: the chair drafts the report; four members sign it with SM2
// and one records a dissent.
func (p *player) signReport(ctx context.Context) error {
	p.say("组长生成评标报告，全体成员以 SM2 签署（一名成员书面保留意见）/ the report is drafted and signed by every member")
	if err := p.members[0].c.call(ctx, http.MethodPost, p.evalPath("/report"), nil, nil); err != nil {
		return err
	}
	var doc evaluation.ReportDocument
	if err := p.agent.call(ctx, http.MethodGet, p.evalPath("/report"), nil, &doc); err != nil {
		return err
	}
	if err := expect(sm3hex(doc.Body) == doc.State.Digest, "the report's bytes do not hash to its digest"); err != nil {
		return err
	}
	for i, x := range p.members {
		req := evaluation.SignRequest{Digest: doc.State.Digest}
		if i == len(p.members)-1 {
			req.Refuse, req.Reason = true, "对商务分评分标准的适用有保留意见"
		} else {
			sig, err := x.key.Sign([]byte(evaluation.ReportLabel + doc.State.Digest))
			if err != nil {
				return err
			}
			req.Signature = base64.StdEncoding.EncodeToString(sig)
		}
		if err := x.c.call(ctx, http.MethodPost, p.evalPath("/report/signatures"), req, nil); err != nil {
			return err
		}
	}
	pdf, err := p.raw(ctx, p.supervisor, p.evalPath("/report?format=pdf"))
	if err != nil {
		return err
	}
	var rep evaluation.Report
	if err := jsonUnmarshalStrict(doc.Body, &rep); err != nil {
		return err
	}
	if err := expect(len(rep.Candidates) == 3 && len(pdf) > 1000, "the report ranks %d candidates; PDF %d bytes", len(rep.Candidates), len(pdf)); err != nil {
		return err
	}
	p.candidateBid = rep.Candidates[0].BidID
	for _, c := range rep.Candidates {
		p.note("第%d中标候选人 %s：报价 %s 元，总分 %s", c.Rank, c.BidderName, yuanOf(c.PriceFen), c.Total)
	}
	p.note("评标报告摘要 %s…；PDF %d 字节", doc.State.Digest[:16], len(pdf))
	return p.namesSealed(ctx)
}
