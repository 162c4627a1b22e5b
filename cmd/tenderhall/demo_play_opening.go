package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/notary"
)

// open: the host joins, six bidders sign in with their keys, five hand
// over their data keys; the window's end revokes the sixth; an objection
// at the opening is answered and the signed record is published.
func (p *player) open(ctx context.Context) error {
	p.say("不见面开标：投标人以 SM2 密钥签到，在本地解开数据密钥后交给平台解密 / the online opening: bidders sign in and hand over their data keys")
	if err := p.agent.call(ctx, http.MethodPost, p.sectionPath("/room/join"), nil, nil); err != nil {
		return err
	}
	for i, b := range p.bidders {
		if err := p.roomSignIn(ctx, b); err != nil {
			return fmt.Errorf("%s signing in: %w", b.name, err)
		}
		if i == len(p.bidders)-1 {
			p.note("%s 已签到，但未在解密时间内解密（投标人原因）", b.name)
			continue
		}
		if err := p.decrypt(ctx, b); err != nil {
			return fmt.Errorf("%s decrypting: %w", b.name, err)
		}
	}
	var v bidding.RoomView
	if err := p.agent.call(ctx, http.MethodGet, p.sectionPath("/room"), nil, &v); err != nil {
		return err
	}
	if err := expect(v.Decrypted == 5, "%d bids decrypted, want 5", v.Decrypted); err != nil {
		return err
	}
	p.say("解密时间（30 分钟）结束：公布投标人名称和报价 / the decryption window ends: names and prices are published")
	if _, err := p.advance(ctx, 31*time.Minute); err != nil {
		return err
	}
	if err := p.agent.call(ctx, http.MethodGet, p.sectionPath("/room"), nil, &v); err != nil {
		return err
	}
	if err := expect(v.State == bidding.StateOpened && len(v.Results) == 6, "after the window the section is %s with %d results", v.State, len(v.Results)); err != nil {
		return err
	}
	for _, r := range v.Results {
		price := "—"
		if r.PriceFen != nil {
			price = yuanOf(*r.PriceFen) + " 元"
		}
		p.note("%-28s %-14s %s", r.BidderName, price, statusZh(r.Status))
	}
	return p.closeRoom(ctx)
}

func (p *player) roomSignIn(ctx context.Context, b *playBidder) error {
	var ch bidding.Challenge
	if err := b.c.call(ctx, http.MethodPost, p.sectionPath("/room/challenge"), nil, &ch); err != nil {
		return err
	}
	sig, err := b.key.Sign(bidding.SignInMessage(p.section, ch.Nonce))
	if err != nil {
		return err
	}
	return b.c.call(ctx, http.MethodPost, p.sectionPath("/room/signin"), api.SignInRequest{ChallengeID: ch.ID, Signature: base64.StdEncoding.EncodeToString(sig)}, nil)
}

// decrypt unwraps the bidder's data key from its own envelope, locally,
// and hands it over.
func (p *player) decrypt(ctx context.Context, b *playBidder) error {
	h, err := notary.ParseHeader(bytesReader(b.envelope))
	if err != nil {
		return err
	}
	dek, err := notary.UnwrapDEK(h, b.key)
	if err != nil {
		return err
	}
	defer clear(dek)
	var ob bidding.OpenedBid
	if err := b.c.call(ctx, http.MethodPost, p.sectionPath("/room/decrypt"), api.DecryptRequest{DEK: hex.EncodeToString(dek)}, &ob); err != nil {
		return err
	}
	b.bidID = ob.BidID
	return expect(ob.Status == bidding.OpeningDecrypted, "bid %d is %s after its key was handed over", ob.BidID, ob.Status)
}

// closeRoom: an objection at the opening, the host's answer, the signed
// record.
func (p *player) closeRoom(ctx context.Context) error {
	p.say("开标异议当场提出并答复，开标记录表签名公布 / an objection at the opening is answered; the signed record is published")
	if err := p.agent.call(ctx, http.MethodPost, p.sectionPath("/room/objection-phase"), nil, nil); err != nil {
		return err
	}
	var o bidding.RoomObjection
	if err := p.bidders[2].c.call(ctx, http.MethodPost, p.sectionPath("/room/objections"), api.TextRequest{Text: "请核实第六家投标人未解密的原因"}, &o); err != nil {
		return err
	}
	if err := p.agent.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/room-objections/%d/answer", o.ID),
		api.TextRequest{Text: "经核实，该投标人已签到但未在解密时间内解密，按规定视为撤销投标"}, nil); err != nil {
		return err
	}
	if err := p.agent.call(ctx, http.MethodPost, p.sectionPath("/room/close"), nil, nil); err != nil {
		return err
	}
	var signed bidding.SignedRecord
	if err := p.client("").call(ctx, http.MethodGet, p.sectionPath("/opening-record?format=json"), nil, &signed); err != nil {
		return err
	}
	rec, err := signed.Verify(p.platform)
	if err != nil {
		return err
	}
	priced := 0
	for _, r := range rec.Bids {
		if r.PriceFen != nil {
			priced++
		}
	}
	if err := expect(priced == 5 && len(rec.Objections) == 1 && rec.Sandbox, "the record lists %d prices and %d objections (sandbox %v)", priced, len(rec.Objections), rec.Sandbox); err != nil {
		return err
	}
	p.note("开标记录表：%d 份投标文件，%d 份解密成功，平台签名有效（测试环境标记）", len(rec.Bids), priced)
	return nil
}
