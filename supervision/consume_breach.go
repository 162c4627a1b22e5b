package supervision

import (
	"context"
	"fmt"
	"strings"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// breachPayload is what the count and breach rules read of an event.
type breachPayload struct {
	BidID       int64  `json:"bidId"`
	BidderOrgID int64  `json:"bidderOrgId"`
	SectionID   int64  `json:"sectionId"`
	FlagID      int64  `json:"flagId"`
	Reason      string `json:"reason"`
	Criterion   string `json:"criterion"`
}

// applyBreach raises the rule breaches an event may be: each a red warning
// at once (红灯: a breach, not a lapse of time).
func (s *Service) applyBreach(ctx context.Context, ev eventlog.Event) error {
	var p breachPayload
	if !jsonInto(ev.Payload, &p) {
		return nil
	}
	switch ev.Type {
	case "section.opened", "section.failed":
		return s.atResults(ctx, ev)
	case "evaluation.started", "evaluation.report_final", "video.camera_offline", "video.coverage_gap":
		return s.videoCoverage(ctx, ev)
	case "evaluation.deviation_flagged":
		return s.breach(ctx, ev, sectionRef(p.SectionID), RuleDeviation, "flag:"+itoa(p.FlagID),
			fmt.Sprintf("投标文件 %d 的评分项 %s 偏离委员会均值", p.BidID, p.Criterion),
			fmt.Sprintf("bid %d, criterion %s: a score far from the committee mean", p.BidID, p.Criterion))
	case "experts.draw_committed":
		subj := sectionRef(p.SectionID)
		n, err := s.st.incr(ctx, subj, RuleRedraw, "draws")
		if err != nil || n < s.rules.Rule[RuleRedraw].Limit {
			return err
		}
		return s.breach(ctx, ev, subj, RuleRedraw, "draws", fmt.Sprintf("本标段已抽取专家 %d 次", n), fmt.Sprintf("experts drawn %d times for this section", n))
	case "approval.case_rated":
		var r struct {
			Level int `json:"level"`
		}
		if !jsonInto(ev.Payload, &r) || r.Level < 1 || r.Level > 5 {
			return nil
		}
		return s.st.setCount(ctx, ev.Subject, ruleRating, "rated:"+ev.OccurredAt.In(clock.Shanghai).Format("2006-01"), r.Level)
	case "approval.case_refused":
		if strings.TrimSpace(p.Reason) != "" {
			return nil
		}
		return s.breach(ctx, ev, ev.Subject, RuleNoReason, "refused", "不予受理未说明理由", "refused without a reason")
	case "approval.materials_requested":
		n, err := s.st.incr(ctx, ev.Subject, RuleMissingAgain, "requests")
		if err != nil || n < s.rules.Rule[RuleMissingAgain].Limit {
			return err
		}
		return s.breach(ctx, ev, ev.Subject, RuleMissingAgain, "requests", fmt.Sprintf("已第 %d 次要求补正材料", n), fmt.Sprintf("missing materials asked for %d times", n))
	}
	return nil
}

// ruleRating keeps each case's rating by month, for the efficiency index.
const ruleRating = "RATING"

// breach raises the red warning of rule on subj for key, once, and
// relights the subject. A subject supervision does not watch (created
// before it was) is skipped.
func (s *Service) breach(ctx context.Context, ev eventlog.Event, subj, rule, key, zh, en string) error {
	cal, err := s.calendar(ctx)
	if err != nil {
		return err
	}
	r := s.rules.Rule[rule]
	w := Warning{Dedupe: subj + "|" + rule + "|" + key, RuleID: rule, Subject: subj, Light: Red, SourceSeq: ev.Seq,
		RaisedAt: ev.OccurredAt, Detail: r.TitleZh + "：" + zh + " / " + r.TitleEn + ": " + en}
	created, err := s.warn(ctx, cal, &w, func(*Warning) map[string]any { return map[string]any{"sourceSeq": ev.Seq} })
	if apperr.Is(err, apperr.NotFound) || (err == nil && !created) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.relight(ctx, subj, "breach:"+rule, ev.OccurredAt)
}
