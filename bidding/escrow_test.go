package bidding

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// escrowHolder is a supervisor with a personal SM2 key.
type escrowHolder struct {
	who accounts.Principal
	key *notary.PrivateKey
}

// withEscrow gives the fixture's section a 2-of-3 escrow key among three
// supervisors granted on the project; a fourth granted supervisor has no
// key and a fifth with a key is not granted, so neither may hold a share.
func withEscrow(t *testing.T, holders *[]escrowHolder) func(*openFixture) {
	return func(f *openFixture) {
		ctx := context.Background()
		f.escrowK, f.escrowN = 2, 3
		for i := int64(0); i < 5; i++ {
			id := 300 + i
			k, err := notary.GenerateKey()
			if err != nil {
				t.Fatal(err)
			}
			var pem any = k.Public().PEM
			if i == 3 {
				pem = nil
			}
			if err := f.svc.db.Conn(ctx).Exec(`INSERT INTO users (id, username, display_name, password_hash, sm2_public_key, created_at, updated_at)
				VALUES (?, ?, ?, 'x', ?, ?, ?)`, id, "sup"+itoa64(id), "监督员", pem, f.clock.Now(), f.clock.Now()).Error; err != nil {
				t.Fatal(err)
			}
			*holders = append(*holders, escrowHolder{accounts.Principal{UserID: id, Roles: []accounts.Role{accounts.RoleSupervisor}}, k})
		}
		f.beforePublish = func(projectID int64) {
			for _, id := range []int64{303, 302, 301, 300} {
				if err := f.svc.db.Conn(ctx).Exec("INSERT INTO project_grants (user_id, project_id, role, granted_at) VALUES (?, ?, 'supervisor', ?)",
					id, ProjectGrantID(projectID), f.clock.Now()).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// share is what a holder's CLI would hand in: its own share, unwrapped
// locally with its own key.
func (f *openFixture) share(t *testing.T, h escrowHolder) string {
	t.Helper()
	w, err := f.svc.MyEscrowShare(context.Background(), h.who, f.sec.ID)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := base64.StdEncoding.DecodeString(w.Wrapped)
	s, err := notary.UnwrapShare(ct, h.key)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(s.Marshal())
}

// TestEscrowRemedy: a 2-of-3 escrow section; no share is accepted before
// the window closes; afterwards two holders decrypt the bid whose bidder
// lost its key, and the record shows it as a remedy.
func TestEscrowRemedy(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			var hs []escrowHolder
			f := newOpenFixtureWith(t, b, 4, withEscrow(t, &hs))
			ctx := context.Background()
			sec := f.sec
			key, err := f.svc.SectionEscrow(ctx, sec.ID)
			if err != nil || key.Threshold != 2 || key.Holders != 3 {
				t.Fatalf("escrow key %+v %v", key, err)
			}
			_, err = f.svc.MyEscrowShare(ctx, hs[3].who, sec.ID)
			wantCode(t, "a supervisor without a key", err, "not_a_holder")
			_, err = f.svc.MyEscrowShare(ctx, hs[4].who, sec.ID)
			wantCode(t, "a supervisor not granted", err, "not_a_holder")

			// A bid sealed only to its bidder is refused at the first chunk.
			env := f.seal(t, 4, sec, "没有托管接收方的投标文件")
			if step, err := f.submit(t, bidderOf(4), sec, env, 1<<20); codeOf(err) != notary.CodeMissingRecipient {
				t.Fatalf("envelope without the escrow slot: %s %v", step, err)
			}

			lost := f.bidOf(t, 7)
			shares := []string{f.share(t, hs[0]), f.share(t, hs[1]), f.share(t, hs[2])}
			tooEarly := func(when string) {
				t.Helper()
				_, err := f.svc.RequestRemedy(ctx, f.agent, sec.ID, lost, "投标人密钥丢失")
				wantCode(t, when+": remedy", err, "escrow_too_early")
				for i := range 3 {
					_, err := f.svc.SubmitEscrowShare(ctx, hs[i].who, sec.ID, lost, shares[i])
					wantCode(t, when+": share", err, "escrow_too_early")
				}
			}
			tooEarly("before the deadline")

			f.clock.Set(testDeadline.Add(ArrivalGrace))
			if _, _, err := f.svc.CloseIfDue(ctx, sec.ID); err != nil {
				t.Fatal(err)
			}
			for org := int64(4); org <= 7; org++ {
				if err := f.signIn(t, org); err != nil {
					t.Fatal(err)
				}
			}
			for org := int64(4); org <= 6; org++ {
				if _, err := f.svc.Decrypt(ctx, bidderOf(org), sec.ID, f.dek(t, org)); err != nil {
					t.Fatalf("decrypt %d: %v", org, err)
				}
			}
			tooEarly("during the window")
			f.clock.Set(testDeadline.Add(30 * time.Minute))
			if done, err := f.svc.CloseWindowIfDue(ctx, sec.ID); err != nil || !done {
				t.Fatalf("window close: %v %v", done, err)
			}

			_, err = f.svc.RequestRemedy(ctx, bidderOf(7), sec.ID, lost, "我丢了密钥")
			if !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("a bidder asking for a remedy: %v", err)
			}
			_, err = f.svc.RequestRemedy(ctx, f.agent, sec.ID, lost, " ")
			wantCode(t, "no reason", err, "reason_required")
			_, err = f.svc.RequestRemedy(ctx, f.agent, sec.ID, f.bidOf(t, 4), "误操作")
			wantCode(t, "a decrypted bid", err, "bid_decrypted")
			if _, err := f.svc.RequestRemedy(ctx, f.agent, sec.ID, lost, "投标人密钥丢失，经监督人员同意补救"); err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.RequestRemedy(ctx, hs[0].who, sec.ID, lost, "再次申请")
			wantCode(t, "a second remedy", err, "remedy_exists")

			raw, _ := hex.DecodeString(shares[0])
			raw[len(raw)-1] ^= 1
			flipped := hex.EncodeToString(raw)
			for _, c := range []struct {
				who   accounts.Principal
				share string
				code  string
			}{
				{hs[0].who, shares[1], "not_your_share"},
				{hs[0].who, flipped, notary.CodeBadShare},
				{hs[0].who, "zz", notary.CodeBadShare},
				{hs[3].who, shares[0], "not_a_holder"},
			} {
				_, err := f.svc.SubmitEscrowShare(ctx, c.who, sec.ID, lost, c.share)
				wantCode(t, "bad share", err, c.code)
			}
			rem, err := f.svc.SubmitEscrowShare(ctx, hs[0].who, sec.ID, lost, shares[0])
			if err != nil || rem.Status != RemedyCollecting || rem.Shares != 1 {
				t.Fatalf("first share: %+v %v", rem, err)
			}
			_, err = f.svc.SubmitEscrowShare(ctx, hs[0].who, sec.ID, lost, shares[0])
			wantCode(t, "the same share twice", err, "already_submitted")
			rem, err = f.svc.SubmitEscrowShare(ctx, hs[2].who, sec.ID, lost, shares[2])
			if err != nil || rem.Status != RemedyDone {
				t.Fatalf("second share: %+v %v", rem, err)
			}
			_, err = f.svc.SubmitEscrowShare(ctx, hs[1].who, sec.ID, lost, shares[1])
			wantCode(t, "a share after the remedy", err, "remedy_done")

			f.checkRemedied(t, lost, shares)
			if _, err := f.svc.StartObjections(ctx, f.agent, sec.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.CloseRoom(ctx, f.agent, sec.ID); err != nil {
				t.Fatal(err)
			}
			rec := f.checkRecord(t, 4, 4)
			for _, r := range rec.Bids {
				if r.Remedy != (r.BidID == lost) {
					t.Fatalf("record row %+v: remedy flag wrong", r)
				}
			}
			_, err = f.svc.SubmitEscrowShare(ctx, hs[1].who, sec.ID, lost, shares[1])
			wantCode(t, "a share after the room closed", err, "room_closed")
		})
	}
}

func (f *openFixture) bidOf(t *testing.T, org int64) int64 {
	t.Helper()
	var b Bid
	if err := f.svc.db.Conn(context.Background()).Where("section_id = ? AND bidder_org_id = ? AND status = ?", f.sec.ID, org, BidCurrent).First(&b).Error; err != nil {
		t.Fatal(err)
	}
	return b.ID
}

// checkRemedied: the bid is decrypted by remedy with its figures public,
// the committee can read it, and no share is left, in the database or
// the log.
func (f *openFixture) checkRemedied(t *testing.T, bidID int64, shares []string) {
	t.Helper()
	ctx := context.Background()
	v, err := f.svc.Room(ctx, bidderOf(5), f.sec.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range v.Results {
		if r.BidID == bidID {
			found = r.Status == OpeningDecrypted && r.Remedy && r.PriceFen != nil && *r.PriceFen == 123456789+3*1000
		}
	}
	if !found {
		t.Fatalf("the remedied bid is not in the results: %+v", v.Results)
	}
	var plain bytes.Buffer
	if err := f.svc.OpenBid(ctx, bidID, &plain); err != nil || !bytes.Equal(plain.Bytes(), f.pkgs[7]) {
		t.Fatalf("committee copy of the remedied bid: %v", err)
	}
	var left int64
	f.svc.db.Conn(ctx).Model(&escrowSubmission{}).Where("share IS NOT NULL").Count(&left)
	if left != 0 {
		t.Fatalf("%d shares are still stored", left)
	}
	evs, err := f.svc.events.BySubject(ctx, sectionRef(f.sec.ID), 1000)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, e := range evs {
		types[e.Type]++
		for _, s := range shares {
			if strings.Contains(e.Payload, s[len(s)-64:]) {
				t.Fatalf("event %s carries a share", e.Type)
			}
		}
	}
	for typ, n := range map[string]int{"escrow.created": 1, "opening.remedy_requested": 1, "opening.remedy_share": 2, "opening.remedied": 1} {
		if types[typ] != n {
			t.Fatalf("%d %s events, want %d (all: %v)", types[typ], typ, n, types)
		}
	}
}
