package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// TestBidSubmitAgainstThePlatform submits a sealed bid with the CLI to a
// real server (SQLite, disk blobs) and checks the receipt and the stored bid.
//
// The bid tests are parallel so that they run after the sequential ones:
// TestSealOneGiBInFlatMemory reads the max RSS of a binary it starts, and
// Linux counts in it the memory this test process had when it forked.
func TestBidSubmitAgainstThePlatform(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storagetest.Open(t, dbtest.SQLite)
	clk := clock.NewFake(time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC))
	events := eventlog.New(db, clk)
	fields, _ := notary.NewFieldCipher(make([]byte, notary.FieldKeySize))
	opts := accounts.DefaultOptions()
	opts.Argon2 = accounts.Argon2Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1}
	acc := accounts.New(db, events, clk, fields, opts)
	blobs, err := storage.NewFS(t.TempDir(), storage.PresignConfig{})
	if err != nil {
		t.Fatal(err)
	}
	platform, _ := notary.GenerateKey()
	bidderKey, _ := notary.GenerateKey()
	svc := bidding.New(db, events, clk, nil, nil)
	svc.SetBlobs(blobs)
	svc.SetPlatformKey(platform)
	srv := httptest.NewServer(api.New(api.Deps{Clock: clk, Accounts: acc, Events: events, Blobs: blobs, Bidding: svc, Version: "test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	t.Cleanup(srv.Close)

	const pw = "Bidder-pass-2026"
	setup, _ := acc.CreateSetupToken(ctx, time.Hour)
	if _, err := acc.CompleteSetup(ctx, setup, "root-admin", "管理员", pw); err != nil {
		t.Fatal(err)
	}
	admin, err := acc.Login(ctx, accounts.LoginRequest{Username: "root-admin", Password: pw, Kind: accounts.KindBearer})
	if err != nil {
		t.Fatal(err)
	}
	org := func(kind accounts.OrgKind, uscc string) int64 {
		o, err := acc.CreateOrg(ctx, admin.Principal, accounts.NewOrg{Kind: kind, Name: "单位" + string(kind), USCC: uscc, Region: "350100"})
		if err != nil {
			t.Fatalf("org %s: %v", kind, err)
		}
		return o.ID
	}
	agency, tenderer := org(accounts.OrgAgency, validUSCC(t, "9135010000000000A")), org(accounts.OrgTenderer, validUSCC(t, "9135010000000001X"))
	bidderOrg := org(accounts.OrgBidder, "91350100M000100Y43")
	if _, err := acc.SetOrgPublicKey(ctx, admin.Principal, bidderOrg, bidderKey.Public().PEM); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.CreateUser(ctx, admin.Principal, accounts.NewUser{Username: "bidder", DisplayName: "投标人", Password: pw,
		OrgID: bidderOrg, Roles: []accounts.Role{accounts.RoleBidder}}); err != nil {
		t.Fatal(err)
	}
	login, err := acc.Login(ctx, accounts.LoginRequest{Username: "bidder", Password: pw, Kind: accounts.KindBearer})
	if err != nil {
		t.Fatal(err)
	}

	agent := accounts.Principal{UserID: 90, OrgID: agency, OrgKind: accounts.OrgAgency, Roles: []accounts.Role{accounts.RoleAgent}}
	tAgent := accounts.Principal{UserID: 91, OrgID: tenderer, OrgKind: accounts.OrgTenderer, Roles: []accounts.Role{accounts.RoleAgent}}
	p, err := svc.CreateProject(ctx, agent, bidding.NewProject{Name: "项目", TendererOrgID: tenderer})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := svc.CreateSection(ctx, agent, p.ID, bidding.NewSection{Code: "B010101", Name: "货物", Kind: bidding.Goods, BudgetFen: 100,
		Rulebook: bidding.RulebookProcurement, Prequalification: true})
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now()
	deadline := time.Date(2026, 11, 23, 1, 30, 0, 0, time.UTC)
	if _, err := svc.SaveAnnouncement(ctx, agent, sec.ID, bidding.AnnouncementInput{Title: "公告", Body: "正文", DocsFrom: now,
		DocsUntil: now.AddDate(0, 0, 7), Deadline: deadline}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveAnnouncement(ctx, tAgent, sec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PublishAnnouncement(ctx, agent, sec.ID); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	var env bytes.Buffer
	if _, err := notary.Seal(ctx, &env, strings.NewReader(strings.Repeat("投标报价", 5000)), notary.SealOptions{Signer: bidderKey,
		Recipients: []*notary.PublicKey{bidderKey.Public()}, ChunkSize: 4096, Meta: notary.Metadata{Project: strconv.FormatInt(p.ID, 10),
			Section: strconv.FormatInt(sec.ID, 10), Bidder: strconv.FormatInt(bidderOrg, 10), SealedAt: now}}); err != nil {
		t.Fatal(err)
	}
	in, pub := filepath.Join(dir, "bid.the"), filepath.Join(dir, "platform.pub")
	os.WriteFile(in, env.Bytes(), 0o600)
	os.WriteFile(pub, []byte(platform.Public().PEM), 0o600)
	out, _, err := executeBid(t, map[string]string{"TENDERHALL_TOKEN": login.Token}, "bid", "submit", "--server", srv.URL,
		"--section", strconv.FormatInt(sec.ID, 10), "--in", in, "--chunk-size", "4096", "--platform-pub", pub)
	if err != nil {
		t.Fatal(err)
	}
	r, err := notary.ParseReceipt([]byte(strings.TrimSpace(out)))
	if err != nil || r.Receipt.CiphertextSize != int64(env.Len()) {
		t.Fatalf("receipt %q: %v", out, err)
	}
	bids, err := svc.MyBids(ctx, login.Principal, sec.ID)
	if err != nil || len(bids) != 1 || bids[0].Digest != r.Receipt.CiphertextDigest {
		t.Fatalf("stored bids %+v: %v", bids, err)
	}
}

// validUSCC completes a 17-character USCC body with its check character.
func validUSCC(t *testing.T, body string) string {
	for _, c := range "0123456789ABCDEFGHJKLNPQRTUWXY" {
		if accounts.ValidUSCC(body+string(c)) == nil {
			return body + string(c)
		}
	}
	t.Fatalf("no check character for %s", body)
	return ""
}
