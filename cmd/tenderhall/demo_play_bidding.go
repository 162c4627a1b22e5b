package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"github.com/tenderhall/tenderhall/internal/pdf"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
)

func (p *player) sectionPath(suffix string) string {
	return "/api/v1/sections/" + strconv.FormatInt(p.section, 10) + suffix
}

// announce: the agent creates the project and its section, keeps the
// evaluation scheme, the tenderer approves the announcement, the agent
// publishes it with the tender document; every bidder downloads it.
func (p *player) announce(ctx context.Context) error {
	p.say("代理机构发布招标公告和招标文件 / the agent announces the section and publishes the tender document")
	var proj bidding.Project
	if err := p.agent.call(ctx, http.MethodPost, "/api/v1/projects", api.ProjectRequest{Name: "福州职业技术学院实训楼工程（演示）",
		TendererOrgID: p.tendererOrg, SupervisingOrgID: p.deptOrg, Region: "350100"}, &proj); err != nil {
		return err
	}
	var sec bidding.Section
	if err := p.agent.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/projects/%d/sections", proj.ID), api.SectionRequest{Code: "A040303",
		Name: "施工总承包", Kind: "engineering", BudgetFen: 12_000_000_00, Rulebook: "engineering"}, &sec); err != nil {
		return err
	}
	p.project, p.section = proj.ID, sec.ID
	var sc evaluation.Scheme
	if err := p.agent.call(ctx, http.MethodGet, p.sectionPath("/scheme"), nil, &sc); err != nil {
		return err
	}
	if err := p.agent.call(ctx, http.MethodPut, p.sectionPath("/scheme"), sc, &sc); err != nil {
		return err
	}
	now, err := p.now(ctx)
	if err != nil {
		return err
	}
	p.deadline = deadlineAfter(now, 24)
	ann := api.AnnouncementRequest{Title: "福州职业技术学院实训楼工程施工总承包招标公告（演示）", Body: "本项目已具备招标条件，现对该项目的施工进行公开招标。",
		DocsFrom: now, DocsUntil: now.AddDate(0, 0, 10), Deadline: p.deadline}
	if err := p.agent.call(ctx, http.MethodPut, p.sectionPath("/announcement"), ann, nil); err != nil {
		return err
	}
	if err := p.tenderer.call(ctx, http.MethodPost, p.sectionPath("/announcement/approve"), nil, nil); err != nil {
		return err
	}
	if err := p.agent.call(ctx, http.MethodPost, p.sectionPath("/announcement/publish"), nil, nil); err != nil {
		return err
	}
	doc := []byte(strings.Repeat("福州职业技术学院实训楼工程施工招标文件（演示）。\n", 200))
	var d bidding.Document
	if _, err := p.agent.do(ctx, http.MethodPost, p.sectionPath("/documents?name=招标文件.txt"), bytes.NewReader(doc), int64(len(doc)), &d); err != nil {
		return err
	}
	for _, b := range p.bidders {
		if err := p.download(ctx, b, d); err != nil {
			return err
		}
	}
	p.note("投标截止时间 / deadline %s; 招标文件 SM3 %s…; %d 家投标人已下载", shanghaiTime(p.deadline), d.SM3[:16], len(p.bidders))
	return nil
}

// deadlineAfter is 09:30 Beijing time on a weekday at least days ahead.
func deadlineAfter(now time.Time, days int) time.Time {
	d := now.In(clock.Shanghai).AddDate(0, 0, days)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 9, 30, 0, 0, clock.Shanghai).UTC()
}

// download fetches the tender document and checks its published digest.
func (p *player) download(ctx context.Context, b *playBidder, d bidding.Document) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/documents/%d", p.base, d.ID), nil)
	req.Header.Set("Authorization", "Bearer "+b.c.token)
	resp, err := p.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	h := notary.NewSM3()
	if _, err := io.Copy(h, resp.Body); err != nil {
		return err
	}
	got := hex.EncodeToString(h.Sum(nil))
	return expect(resp.StatusCode == 200 && resp.Header.Get(api.SM3Header) == d.SM3 && got == d.SM3,
		"%s downloaded the tender document with %s and SM3 %s, not the published %s", b.name, resp.Status, got, d.SM3)
}

// seal packs and seals a bid form with two documents, in memory: the
// technical part as text and the commercial part as a PDF whose Author is
// the bidder's writer.
func (p *player) seal(ctx context.Context, b *playBidder, priceFen int64, duration int) ([]byte, error) {
	var pkg bytes.Buffer
	tech := []byte(strings.Repeat(b.name+"施工组织设计：质量、安全、进度保证措施。\n", 400))
	var commercial bytes.Buffer
	if err := pdf.Render(&commercial, pdf.Document{Title: "商务标", Subtitle: b.name, Author: b.author, Created: time.Now(),
		Blocks: []pdf.Block{pdf.Paragraph{Text: "投标报价：" + yuanOf(priceFen) + " 元；工期 " + strconv.Itoa(duration) + " 日历天。"}}}); err != nil {
		return nil, err
	}
	form := bidding.BidForm{PriceFen: priceFen, DurationDays: duration, Quality: "合格", Commitments: map[string]string{"warranty": "五年"},
		Contact: b.author, Phone: fmt.Sprintf("0591-8%07d", b.org)}
	docs := []bidding.BidDocument{{Name: "技术标.txt", Size: int64(len(tech)), Body: bytes.NewReader(tech)},
		{Name: "商务标.pdf", Size: int64(commercial.Len()), Body: &commercial}}
	if err := bidding.WriteBidPackage(&pkg, form, docs); err != nil {
		return nil, err
	}
	var env bytes.Buffer
	fp := notary.NewSM3()
	fp.Write([]byte("demo sealing machine of " + b.author)) // the pair seals on one machine
	var fingerprint notary.Digest
	copy(fingerprint[:], fp.Sum(nil))
	_, err := notary.Seal(ctx, &env, &pkg, notary.SealOptions{Signer: b.key, Recipients: []*notary.PublicKey{b.key.Public()},
		Meta: notary.Metadata{Project: strconv.FormatInt(p.project, 10), Section: strconv.FormatInt(p.section, 10),
			Bidder: strconv.FormatInt(b.org, 10), SealedAt: time.Now(), Fingerprint: fingerprint, SchemaVersion: bidding.BidFormSchema}})
	return env.Bytes(), err
}

// upload sends an envelope through the resumable upload: create, append
// in two chunks, and, unless finalize is false, finalize; it returns the
// upload and, when finalized, the verified receipt.
func (p *player) upload(ctx context.Context, b *playBidder, env []byte, finalize bool) (api.UploadView, *notary.SignedReceipt, error) {
	var u api.UploadView
	if err := b.c.call(ctx, http.MethodPost, p.sectionPath("/uploads"), nil, &u); err != nil {
		return u, nil, err
	}
	half := len(env) / 2
	for _, part := range [][2]int{{0, half}, {half, len(env)}} {
		chunk := env[part[0]:part[1]]
		if _, err := b.c.do(ctx, http.MethodPut, fmt.Sprintf("/api/v1/uploads/%s?offset=%d", u.UploadID, part[0]), bytes.NewReader(chunk), int64(len(chunk)), &u); err != nil {
			return u, nil, err
		}
	}
	if !finalize {
		return u, nil, nil
	}
	raw, err := b.c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/uploads/%s/finalize?size=%d", u.UploadID, len(env)), nil, -1, nil)
	if err != nil {
		return u, nil, err
	}
	r, err := notary.ParseReceipt(raw)
	if err != nil {
		return u, nil, err
	}
	return u, &r, r.Verify(p.platform)
}

// submitBids: six bidders seal and upload; the first replaces its bid; the
// second starts a replacement that it will finalize too late.
func (p *player) submitBids(ctx context.Context) error {
	p.say("六家投标人在本地加密投标文件并上传，取得平台签名回执 / six bidders seal their bids locally and upload them for signed receipts")
	for i, b := range p.bidders {
		env, err := p.seal(ctx, b, b.priceFen, 300+10*i)
		if err != nil {
			return err
		}
		_, r, err := p.upload(ctx, b, env, true)
		if err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
		b.envelope = env
		p.note("%s 报价 %s 元，回执 #%d 摘要 %s…", b.name, yuanOf(b.priceFen), r.Receipt.LogIndex, r.Receipt.CiphertextDigest[:12])
	}
	p.say("第一家投标人在截止前修改报价，重新上传（原投标文件作废）/ the first bidder replaces its bid before the deadline")
	b := p.bidders[0]
	b.priceFen -= 120_000_00
	env, err := p.seal(ctx, b, b.priceFen, 290)
	if err != nil {
		return err
	}
	if _, _, err := p.upload(ctx, b, env, true); err != nil {
		return err
	}
	b.envelope = env
	var mine []bidding.Bid
	if err := b.c.call(ctx, http.MethodGet, p.sectionPath("/bids/mine"), nil, &mine); err != nil {
		return err
	}
	current := 0
	for _, x := range mine {
		if x.Status == "current" {
			current++
		}
	}
	if err := expect(len(mine) == 2 && current == 1, "after the replacement %s has %d bids, %d current", b.name, len(mine), current); err != nil {
		return err
	}
	p.note("%s 新报价 %s 元；原投标文件标记为已替换", b.name, yuanOf(b.priceFen))
	late, err := p.seal(ctx, p.bidders[1], p.bidders[1].priceFen-50_000_00, 300)
	if err != nil {
		return err
	}
	u, _, err := p.upload(ctx, p.bidders[1], late, false)
	p.lateUpload, p.lateSize = u.UploadID, len(late)
	return err
}

// passDeadline moves the clock a second past the deadline: the deadline
// job closes bidding and opens the room; the late replacement is refused.
func (p *player) passDeadline(ctx context.Context) error {
	p.say("时间来到投标截止后 1 秒 / the sandbox clock moves to one second after the deadline")
	if err := p.advanceTo(ctx, p.deadline.Add(time.Second)); err != nil {
		return err
	}
	b := p.bidders[1]
	_, err := b.c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/uploads/%s/finalize?size=%d", p.lateUpload, p.lateSize), nil, -1, nil)
	if err := refused(err, "deadline_passed"); err != nil {
		return err
	}
	p.note("%s 截止后 1 秒提交的修改被拒绝（deadline_passed），其截止前的投标文件有效", b.name)
	var v bidding.RoomView
	if err := p.agent.call(ctx, http.MethodGet, p.sectionPath("/room"), nil, &v); err != nil {
		return err
	}
	if err := expect(v.Phase == bidding.PhaseClosing, "the room is in phase %s one second after the deadline, want closing", v.Phase); err != nil {
		return err
	}
	// The close waits ArrivalGrace for finalizes that arrived in time.
	if err := p.advanceTo(ctx, p.deadline.Add(bidding.ArrivalGrace)); err != nil {
		return err
	}
	if err := p.agent.call(ctx, http.MethodGet, p.sectionPath("/room"), nil, &v); err != nil {
		return err
	}
	if err := expect(v.State == bidding.StateOpening && v.BidCount == 6, "the room is %s/%s with %d bids, want opening with 6", v.State, v.Phase, v.BidCount); err != nil {
		return err
	}
	p.note("截标等待 %s（完成截止前到达的投标）后开标室自动开启：%d 份投标文件，阶段 %s", bidding.ArrivalGrace, v.BidCount, v.Phase)
	return nil
}
