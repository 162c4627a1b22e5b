package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/clock"
)

func (p *player) drawPath(suffix string) string {
	return "/api/v1/draws/" + strconv.FormatInt(p.draw, 10) + suffix
}

// drawExperts: the agent requests a committee of four technical experts
// and one economic, with a technical reserve; the supervisor enters the
// public random value and alone sees the result.
func (p *player) drawExperts(ctx context.Context) error {
	p.say("代理机构申请抽取专家，监督人员输入公开随机数完成可验证抽取 / the agent requests an expert draw; the supervisor's public value draws it")
	now, err := p.now(ctx)
	if err != nil {
		return err
	}
	day := now.In(clock.Shanghai).AddDate(0, 0, 2)
	p.evaluationAt = time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, clock.Shanghai).UTC()
	req := experts.Request{EvaluationAt: p.evaluationAt, Place: "福州市公共资源交易中心第三评标室",
		Groups: []experts.Group{{Specialty: p.poolSpecialty(), Category: experts.Technical, Count: 4, Reserve: 1},
			{Specialty: p.poolSpecialty(), Category: experts.Economic, Count: 1}},
		SupervisingOrgIDs: []int64{p.deptOrg}}
	var d experts.Draw
	if err := p.agent.call(ctx, http.MethodPost, p.sectionPath("/draws"), req, &d); err != nil {
		return err
	}
	p.draw = d.ID
	p.note("候选专家 %d 名，候选名单哈希 %s…，服务器秘密承诺 %s… 已记入日志", d.CandidateCount, d.CandidatesHash[:12], d.SecretCommitment[:12])
	var res experts.DrawResult
	if err := p.supervisor.call(ctx, http.MethodPost, p.drawPath("/public-value"), api.PublicValueRequest{Value: strconv.FormatInt(time.Now().UnixNano()%1e9, 10)}, &res); err != nil {
		return err
	}
	err = p.agent.call(ctx, http.MethodGet, p.drawPath("/result"), nil, nil)
	if err := refused(err, "draw_sealed"); err != nil {
		return fmt.Errorf("the agent read the sealed draw result: %w", err)
	}
	p.drawn = res
	p.note("抽取结果仅监督人员可见；代理机构查看被拒绝（draw_sealed）")
	return nil
}

// callExperts: two drawn technical experts' phones are scripted to decline
// and to stay silent; the campaign calls everyone, retries the silent one,
// moves on to the next candidates and confirms the committee by SMS.
func (p *player) callExperts(ctx context.Context) error {
	p.say("语音自动通知：一名专家按 2 拒绝，一名无人接听（重拨后放弃），依次递补 / the call campaign: a decline and a no-answer, then the next candidates")
	tech := p.drawn.Groups[0].Members
	profile := fmt.Sprintf("accept=1,ring=1s,seed=1,%s=decline,%s=silent", p.expertByID(tech[0].ExpertID).phone, p.expertByID(tech[1].ExpertID).phone)
	if err := p.admin.call(ctx, http.MethodPut, "/api/v1/sandbox/carrier", api.CarrierRequest{Profile: profile}, nil); err != nil {
		return err
	}
	now, err := p.now(ctx)
	if err != nil {
		return err
	}
	if err := p.agent.call(ctx, http.MethodPost, p.drawPath("/campaign"), experts.CampaignRequest{ConfirmBy: now.Add(24 * time.Hour),
		Retries: 1, RetryMinutes: 1}, nil); err != nil {
		return err
	}
	var pr experts.Progress
	err = waitFor(ctx, 4*time.Minute, "the campaign filling the committee", func() (bool, error) {
		if err := p.agent.call(ctx, http.MethodGet, p.drawPath("/campaign"), nil, &pr); err != nil {
			return false, err
		}
		if pr.Campaign.State != experts.CampaignRunning {
			return true, nil
		}
		_, err := p.advance(ctx, time.Minute) // the simulated calls ring, prompt and retry on the sandbox's clock
		return false, err
	})
	if err != nil {
		return err
	}
	t, e := pr.Groups[0], pr.Groups[1]
	if err := expect(pr.Campaign.State == experts.CampaignFilled && t.Accepted == 5 && t.Declined == 1 && t.NoAnswer == 1 && e.Accepted == 1,
		"campaign %s: technical %+v, economic %+v", pr.Campaign.State, t, e); err != nil {
		return err
	}
	p.note("技术组：确认 %d、拒绝 %d、无人接听 %d（共拨打 %d 次）；经济组：确认 %d；确认短信已发送", t.Accepted, t.Declined, t.NoAnswer, t.Attempts, e.Accepted)
	return nil
}

func (p *player) expertByID(id int64) *playExpert {
	for _, x := range p.experts {
		if x.id == id {
			return x
		}
	}
	return &playExpert{}
}
