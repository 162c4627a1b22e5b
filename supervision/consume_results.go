package supervision

import (
	"context"
	"fmt"

	"github.com/tenderhall/tenderhall/eventlog"
)

// atResults runs, when a section's opening results are public (ev is
// section.opened or section.failed), the rules that read the bids' secret
// events: raised any earlier, a warning naming a bidder would tell the
// agency who bid. It reads the section's events from the log once: bids
// replaced many times, decryption failures and revocations, and (for an
// opening) the collusion signals.
func (s *Service) atResults(ctx context.Context, ev eventlog.Event) error {
	evs, err := s.allAbout(ctx, ev.Subject)
	if err != nil {
		return err
	}
	var orgs []int64
	receipts := map[int64]int{}
	failures := map[int64]bool{}
	for _, e := range evs {
		var p breachPayload
		if e.Seq > ev.Seq || !jsonInto(e.Payload, &p) {
			continue
		}
		switch e.Type {
		case "bid.received":
			if receipts[p.BidderOrgID] == 0 {
				orgs = append(orgs, p.BidderOrgID)
			}
			receipts[p.BidderOrgID]++
		case "opening.decrypt_error", "opening.revoked":
			if failures[p.BidID] {
				continue
			}
			failures[p.BidID] = true
			zh, en := "平台解密失败", "the platform could not decrypt it"
			if e.Type == "opening.revoked" {
				zh, en = "开标时撤销（"+p.Reason+"）", "revoked at the opening ("+p.Reason+")"
			}
			if err := s.breach(ctx, ev, ev.Subject, RuleDecryptFailed, "bid:"+itoa(p.BidID),
				fmt.Sprintf("投标文件 %d：%s", p.BidID, zh), fmt.Sprintf("bid %d: %s", p.BidID, en)); err != nil {
				return err
			}
		}
	}
	for _, org := range orgs {
		if n := receipts[org] - 1; n >= s.rules.Rule[RuleBidReplaced].Limit {
			if err := s.breach(ctx, ev, ev.Subject, RuleBidReplaced, "org:"+itoa(org),
				fmt.Sprintf("投标人（单位 %d）替换投标文件 %d 次", org, n), fmt.Sprintf("bidder (org %d) replaced its bid %d times", org, n)); err != nil {
				return err
			}
		}
	}
	if ev.Type == "section.opened" {
		return s.signalsAtOpening(ctx, ev, evs)
	}
	return s.tendererFailed(ctx, ev, evs)
}

// tendererFailed counts a failed section (流标) against its project's
// tenderer (section.created names the project, project.created the
// tenderer) and, from the rule's count on, warns about each further one.
// The count runs since supervision began, not over a window.
func (s *Service) tendererFailed(ctx context.Context, ev eventlog.Event, evs []eventlog.Event) error {
	var sec struct {
		ProjectID int64 `json:"projectId"`
	}
	if !lastPayload(evs, "section.created", &sec) || sec.ProjectID == 0 {
		return nil
	}
	pevs, err := s.allAbout(ctx, projectRef(sec.ProjectID))
	if err != nil {
		return err
	}
	var proj struct {
		TendererOrgID int64 `json:"tendererOrgId"`
	}
	if !lastPayload(pevs, "project.created", &proj) || proj.TendererOrgID == 0 {
		return nil
	}
	tenderer := proj.TendererOrgID
	n, err := s.st.incr(ctx, "tenderer:"+itoa(tenderer), RuleTendererFails, "failed")
	if err != nil || n < s.rules.Rule[RuleTendererFails].Limit {
		return err
	}
	return s.breach(ctx, ev, ev.Subject, RuleTendererFails, "tenderer:"+itoa(tenderer),
		fmt.Sprintf("招标人（单位 %d）第 %d 个流标标段", tenderer, n), fmt.Sprintf("the tenderer's (org %d) %d-th failed section", tenderer, n))
}

// lastPayload decodes into v the payload of the last event of type typ in
// evs, reporting whether there was one.
func lastPayload(evs []eventlog.Event, typ string, v any) bool {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ {
			return jsonInto(evs[i].Payload, v)
		}
	}
	return false
}
