package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/supervision"
)

// watchCollusion: after the opening, supervision reads the decrypted
// bids; the supervisor finds the pair whose documents one person wrote
// (who name that person as their contact and seal on one machine), with the bids as
// evidence, and no other bidder named by such a signal.
func (p *player) watchCollusion(ctx context.Context) error {
	p.say("电子监察读取已解密投标文件：文档作者相同的两家投标人被标出 / supervision reads the opened bids: the two bidders whose documents one person wrote are flagged")
	var tr supervision.Trajectory
	path := fmt.Sprintf("/api/v1/supervision/trajectories/section/%d", p.section)
	err := waitFor(ctx, time.Minute, "the supervision scan of the opened bids", func() (bool, error) {
		err := p.supervisor.call(ctx, http.MethodGet, path, nil, &tr)
		return err == nil && tr.Scan != nil && tr.Scan.State == "done", err
	})
	if err != nil {
		return err
	}
	pair := []int64{p.bidders[1].bidID, p.bidders[2].bidID}
	sort.Slice(pair, func(i, j int) bool { return pair[i] < pair[j] })
	found := map[string]bool{}
	for _, s := range tr.Signals {
		var ev struct {
			Field string `json:"field"`
			Value string `json:"value"`
			IP    string `json:"ip"`
			Bids  []struct {
				BidID int64 `json:"bidId"`
			} `json:"bids"`
		}
		if err := json.Unmarshal(s.Evidence, &ev); err != nil {
			return err
		}
		var ids []int64
		for _, b := range ev.Bids {
			ids = append(ids, b.BidID)
		}
		switch s.Kind {
		case supervision.SignalSameDevice:
			if err := expect(fmt.Sprint(ids) == fmt.Sprint(pair), "%s names bids %v, want only the pair %v", s.Kind, ids, pair); err != nil {
				return err
			}
			p.note("%s（%s…）：投标 %v", s.Kind, ev.Value[:12], ids)
		case supervision.SignalSameAuthor, supervision.SignalSameContact:
			if err := expect(fmt.Sprint(ids) == fmt.Sprint(pair) && ev.Value == "林志强",
				"%s names bids %v (%q), want only the pair %v", s.Kind, ids, ev.Value, pair); err != nil {
				return err
			}
			p.note("%s（%s = %s）：投标 %v", s.Kind, ev.Field, ev.Value, ids)
		case "same_ip":
			p.note("same_ip（%s）：投标 %v —— 演示中所有投标人都从本机上传 / every demo bidder uploads from this machine", ev.IP, ids)
		}
		found[s.Kind] = true
	}
	read := 0
	for _, d := range tr.Scan.Documents {
		if d.Format == "pdf" && d.Skipped == "" {
			read++
		}
	}
	p.note("监督人员 %s 查看轨迹 /monitor/section/%d / the supervisor's view", p.supervisorUser, p.section)
	p.note("已读取 %d 份文档，其中 %d 份 PDF 的元数据 / %d documents hashed, the metadata of %d PDFs read", len(tr.Scan.Documents), read, len(tr.Scan.Documents), read)
	return expect(found[supervision.SignalSameAuthor] && found[supervision.SignalSameContact] && found[supervision.SignalSameDevice] && found["same_ip"] && read == 5,
		"signals %v and %d PDFs read, want same_author, same_contact, same_device and same_ip and the 5 decrypted bids' PDFs", found, read)
}

// chairSeesSignals: the elected chair, in the room, sees the section's
// collusion signals with the bidders' names; another member is refused.
func (p *player) chairSeesSignals(ctx context.Context) error {
	var v api.SignalsView
	if err := p.members[0].c.call(ctx, http.MethodGet, p.evalPath("/signals"), nil, &v); err != nil {
		return err
	}
	kinds := map[string]bool{}
	for _, s := range v.Signals {
		kinds[s.Kind] = true
	}
	pair := v.Bidders[strconv.FormatInt(p.bidders[1].org, 10)]
	if err := expect(kinds[supervision.SignalSameAuthor] && kinds[supervision.SignalSameDevice] && pair == p.bidders[1].name,
		"the chair sees signals %v and names %v", kinds, v.Bidders); err != nil {
		return err
	}
	if err := refused(p.members[1].c.call(ctx, http.MethodGet, p.evalPath("/signals"), nil, nil), "not_chair"); err != nil {
		return fmt.Errorf("a member who is not the chair read the signals: %w", err)
	}
	p.note("组长在评标室看到 %d 条围标串标信号（供参考，不作结论）；其他成员无权查看（not_chair）", len(v.Signals))
	return nil
}
