package bidding

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	extract "github.com/ledongthuc/pdf"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// openFixture is a section with sealed bids from orgs 4…(4+n-1).
type openFixture struct {
	*upFixture
	sec   Section
	pkgs  map[int64][]byte // plaintext bid packages by org
	envs  map[int64][]byte
	names map[int64]string
}

func newOpenFixture(t *testing.T, b dbtest.Backend, bidders int) *openFixture {
	return newOpenFixtureWith(t, b, bidders, nil)
}

// newOpenFixtureWith runs setup on the fixture before the section is
// announced (to give it an escrow key, say); bids are sealed to the
// section's escrow key too when it has one.
func newOpenFixtureWith(t *testing.T, b dbtest.Backend, bidders int, setup func(*openFixture)) *openFixture {
	t.Helper()
	f := &openFixture{upFixture: newUpFixture(t, b, bidders-1), pkgs: map[int64][]byte{}, envs: map[int64][]byte{}, names: map[int64]string{}}
	fields, err := notary.NewFieldCipher(bytes.Repeat([]byte{7}, notary.FieldKeySize))
	if err != nil {
		t.Fatal(err)
	}
	f.svc.SetFieldCipher(fields)
	if setup != nil {
		setup(f)
	}
	f.sec = f.announced(t, false, testDeadline)
	recipients := func(org int64) []*notary.PublicKey { return []*notary.PublicKey{f.keys[org].Public()} }
	if ek, err := f.svc.SectionEscrow(context.Background(), f.sec.ID); err == nil {
		pub, err := notary.ParsePublicKeyPEM(ek.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		recipients = func(org int64) []*notary.PublicKey { return []*notary.PublicKey{f.keys[org].Public(), pub} }
	}
	ctx := context.Background()
	for i := 0; i < bidders; i++ {
		org := int64(4 + i)
		name := []string{"江西省建工集团有限责任公司", "福建省第一建筑工程有限公司", "中铁十八局集团有限公司", "浙江交工集团股份有限公司", "湖南路桥建设集团有限责任公司"}[i%5]
		if err := f.svc.db.Conn(ctx).Exec("UPDATE organizations SET name = ? WHERE id = ?", name, org).Error; err != nil {
			t.Fatal(err)
		}
		f.names[org] = name
		var pkg bytes.Buffer
		doc := strings.Repeat("技术标内容。", 3000)
		if err := WriteBidPackage(&pkg, BidForm{PriceFen: 123456789 + int64(i)*1000, DurationDays: 180 + i, Quality: "合格"},
			[]BidDocument{{Name: "technical.txt", Size: int64(len(doc)), Body: strings.NewReader(doc)}}); err != nil {
			t.Fatal(err)
		}
		f.pkgs[org] = pkg.Bytes()
		var env bytes.Buffer
		if _, err := notary.Seal(ctx, &env, bytes.NewReader(pkg.Bytes()), notary.SealOptions{Signer: f.keys[org],
			Recipients: recipients(org), ChunkSize: 4096,
			Meta: notary.Metadata{Project: itoa64(f.sec.ProjectID), Section: itoa64(f.sec.ID), Bidder: itoa64(org), SealedAt: f.clock.Now(), SchemaVersion: BidFormSchema}}); err != nil {
			t.Fatal(err)
		}
		f.envs[org] = env.Bytes()
		if step, err := f.submit(t, bidderOf(org), f.sec, env.Bytes(), 1<<20); err != nil {
			t.Fatalf("org %d: %s: %v", org, step, err)
		}
	}
	return f
}

// dek unwraps the bidder's data key locally, as the CLI does.
func (f *openFixture) dek(t *testing.T, org int64) string {
	t.Helper()
	h, err := notary.ParseHeader(bytes.NewReader(f.envs[org]))
	if err != nil {
		t.Fatal(err)
	}
	k, err := notary.UnwrapDEK(h, f.keys[org])
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(k)
}

func (f *openFixture) signIn(t *testing.T, org int64) error {
	t.Helper()
	ctx := context.Background()
	c, err := f.svc.NewChallenge(ctx, bidderOf(org), f.sec.ID)
	if err != nil {
		return err
	}
	sig, err := f.keys[org].Sign(SignInMessage(f.sec.ID, c.Nonce))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.SignIn(ctx, bidderOf(org), f.sec.ID, c.ID, base64.StdEncoding.EncodeToString(sig))
	return err
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if codeOf(err) != code {
		t.Fatalf("%s: %v (code %q), want %s", what, err, codeOf(err), code)
	}
}

// TestOpeningLifecycle: five bids; the deadline opens the room by itself;
// four decrypt, one does not and is revoked; objections; the signed record.
func TestOpeningLifecycle(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newOpenFixture(t, b, 5)
			ctx := context.Background()
			sec := f.sec

			// Before sign-in opens: no challenge, no decryption.
			_, err := f.svc.NewChallenge(ctx, bidderOf(4), sec.ID)
			wantCode(t, "challenge while waiting", err, "wrong_phase")
			_, err = f.svc.Decrypt(ctx, bidderOf(4), sec.ID, f.dek(t, 4))
			wantCode(t, "decrypt before the deadline", err, "wrong_phase")

			f.clock.Set(testDeadline.Add(-10 * time.Minute))
			for org := int64(4); org <= 8; org++ {
				if err := f.signIn(t, org); err != nil {
					t.Fatalf("sign-in %d: %v", org, err)
				}
			}
			// A replayed signature is refused; so is a signature by another key.
			c, _ := f.svc.NewChallenge(ctx, bidderOf(4), sec.ID)
			sig, _ := f.keys[4].Sign(SignInMessage(sec.ID, c.Nonce))
			if _, err := f.svc.SignIn(ctx, bidderOf(4), sec.ID, c.ID, base64.StdEncoding.EncodeToString(sig)); err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.SignIn(ctx, bidderOf(4), sec.ID, c.ID, base64.StdEncoding.EncodeToString(sig))
			wantCode(t, "replayed sign-in", err, "challenge_used")
			c, _ = f.svc.NewChallenge(ctx, bidderOf(5), sec.ID)
			sig, _ = f.keys[4].Sign(SignInMessage(sec.ID, c.Nonce))
			_, err = f.svc.SignIn(ctx, bidderOf(5), sec.ID, c.ID, base64.StdEncoding.EncodeToString(sig))
			wantCode(t, "another key's signature", err, "signature_invalid")
			if _, err := f.svc.Join(ctx, f.agent, sec.ID); err != nil {
				t.Fatalf("host join: %v", err)
			}
			_, err = f.svc.Join(ctx, bidderOf(4), sec.ID)
			wantCode(t, "bidder joining as staff", err, "not_room_staff")

			// The deadline job opens the room.
			f.clock.Set(testDeadline.Add(ArrivalGrace))
			if closed, s, err := f.svc.CloseIfDue(ctx, sec.ID); err != nil || !closed || s.State != StateOpening {
				t.Fatalf("close: %v %+v %v", closed, s.State, err)
			}
			if _, ok := f.queue.tasks[WindowTaskID(sec.ID)]; !ok {
				t.Fatalf("no window task among %v", f.queue.tasks)
			}
			v, err := f.svc.Room(ctx, bidderOf(4), sec.ID)
			if err != nil || v.Phase != PhaseDecrypting || v.BidCount != 5 || v.Results != nil || !v.CheckedIn {
				t.Fatalf("room %+v %v", v, err)
			}

			// Wrong keys change nothing.
			_, err = f.svc.Decrypt(ctx, bidderOf(8), sec.ID, strings.Repeat("00", 16))
			wantCode(t, "a wrong key", err, notary.CodeWrongKey)
			_, err = f.svc.Decrypt(ctx, bidderOf(8), sec.ID, f.dek(t, 4))
			wantCode(t, "another bid's key", err, notary.CodeWrongKey)
			_, err = f.svc.Decrypt(ctx, bidderOf(8), sec.ID, "zz")
			wantCode(t, "a malformed key", err, notary.CodeWrongKey)
			for org := int64(4); org <= 7; org++ {
				ob, err := f.svc.Decrypt(ctx, bidderOf(org), sec.ID, f.dek(t, org))
				if err != nil || ob.Status != OpeningDecrypted {
					t.Fatalf("decrypt %d: %+v %v", org, ob, err)
				}
			}
			_, err = f.svc.Decrypt(ctx, bidderOf(4), sec.ID, f.dek(t, 4))
			wantCode(t, "a second decryption", err, "already_decrypted")
			v, _ = f.svc.Room(ctx, bidderOf(8), sec.ID)
			if v.Decrypted != 4 || v.Results != nil || v.Mine == nil || v.Mine.Status != OpeningPending {
				t.Fatalf("room during the window %+v", v)
			}

			// Nothing is stored in the clear: the committee reads the bid
			// through the sealed data key; the form is sealed too.
			var ob OpenedBid
			f.svc.db.Conn(ctx).Where("bidder_org_id = ? AND section_id = ?", 5, sec.ID).First(&ob)
			var plain bytes.Buffer
			if err := f.svc.OpenBid(ctx, ob.BidID, &plain); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(plain.Bytes(), f.pkgs[5]) || ob.PlainSize != int64(len(f.pkgs[5])) {
				t.Fatalf("the committee's copy differs from the sealed package")
			}
			if ob.SealedDEK == nil || strings.Contains(*ob.SealedDEK, f.dek(t, 5)) || bytes.Contains(ob.Form, []byte("priceFen")) {
				t.Fatalf("the data key or the form is stored in the clear")
			}
			if objs := f.objects(t, ""); len(objs) != 5 {
				t.Fatalf("objects besides the 5 bids: %v", objs)
			}

			// The window closes: org 8 is revoked, the others are published.
			f.clock.Set(testDeadline.Add(30*time.Minute - time.Millisecond))
			if done, err := f.svc.CloseWindowIfDue(ctx, sec.ID); err != nil || done {
				t.Fatalf("window closed early: %v %v", done, err)
			}
			f.clock.Set(testDeadline.Add(30 * time.Minute))
			_, err = f.svc.Decrypt(ctx, bidderOf(8), sec.ID, f.dek(t, 8))
			wantCode(t, "decrypt after the window", err, "window_closed")
			if done, err := f.svc.CloseWindowIfDue(ctx, sec.ID); err != nil || !done {
				t.Fatalf("window close: %v %v", done, err)
			}
			if done, _ := f.svc.CloseWindowIfDue(ctx, sec.ID); done {
				t.Fatal("the window closed twice")
			}
			v, _ = f.svc.Room(ctx, bidderOf(8), sec.ID)
			if v.State != StateOpened || v.Phase != PhaseResults || len(v.Results) != 5 {
				t.Fatalf("results %+v", v)
			}
			for _, r := range v.Results {
				org := r.BidderOrgID
				if org == 8 {
					if r.Status != OpeningRevoked || r.PriceFen != nil {
						t.Fatalf("org 8 %+v", r)
					}
					continue
				}
				if r.Status != OpeningDecrypted || r.PriceFen == nil || *r.PriceFen != 123456789+(org-4)*1000 || r.BidderName != f.names[org] || r.Quality != "合格" {
					t.Fatalf("org %d %+v", org, r)
				}
			}

			// Objections: raised, unanswered blocks closing, answered, closed.
			_, err = f.svc.RaiseRoomObjection(ctx, bidderOf(5), sec.ID, "对第三名报价有异议")
			wantCode(t, "objection before the phase", err, "wrong_phase")
			if _, err := f.svc.StartObjections(ctx, f.agent, sec.ID); err != nil {
				t.Fatal(err)
			}
			o, err := f.svc.RaiseRoomObjection(ctx, bidderOf(5), sec.ID, "对第三名报价有异议")
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.CloseRoom(ctx, f.agent, sec.ID)
			wantCode(t, "closing with an objection open", err, "objections_unanswered")
			_, err = f.svc.AnswerRoomObjection(ctx, bidderOf(5), o.ID, "自问自答")
			if !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("a bidder answering: %v", err)
			}
			if _, err := f.svc.AnswerRoomObjection(ctx, f.agent, o.ID, "经核实，报价按开标记录为准。"); err != nil {
				t.Fatal(err)
			}
			r, err := f.svc.CloseRoom(ctx, f.agent, sec.ID)
			if err != nil || r.Phase != PhaseClosed || r.RecordDigest == "" {
				t.Fatalf("close room: %+v %v", r, err)
			}
			_, err = f.svc.RaiseRoomObjection(ctx, bidderOf(6), sec.ID, "晚到的异议")
			wantCode(t, "objection after close", err, "wrong_phase")
			f.checkRecord(t, 5, 4)
		})
	}
}

// checkRecord verifies the signed record and reads its PDF's text.
func (f *openFixture) checkRecord(t *testing.T, bids, decrypted int) OpeningRecord {
	t.Helper()
	ctx := context.Background()
	doc, err := f.svc.OpeningRecordFile(ctx, f.sec.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	var signed SignedRecord
	if err := json.Unmarshal(doc, &signed); err != nil {
		t.Fatal(err)
	}
	rec, err := signed.Verify(f.platform.Public())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range rec.Bids {
		if b.Status == OpeningDecrypted {
			n++
		}
	}
	if len(rec.Bids) != bids || n != decrypted {
		t.Fatalf("record lists %d bids, %d decrypted; want %d, %d", len(rec.Bids), n, bids, decrypted)
	}
	tampered := signed
	tampered.Record = bytes.Replace(signed.Record, []byte("123456789"), []byte("123456780"), 1)
	if _, err := tampered.Verify(f.platform.Public()); err == nil {
		t.Fatal("a tampered record verified")
	}
	pdfDoc, err := f.svc.OpeningRecordFile(ctx, f.sec.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := extract.NewReader(bytes.NewReader(pdfDoc), int64(len(pdfDoc)))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for i := 1; i <= rd.NumPage(); i++ {
		s, err := rd.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatal(err)
		}
		text.WriteString(s)
	}
	flat := strings.Join(strings.Fields(text.String()), "")
	for _, want := range []string{"开标记录表", f.names[4], "1,234,567.89"} {
		if !strings.Contains(flat, want) {
			t.Fatalf("the record PDF's text lacks %q: %.300s", want, flat)
		}
	}
	return rec
}

// TestOpeningFailures: two bids fail at the deadline; three bids of which
// one decrypts fail when the window closes; both end with a signed record
// or a reason, and the room refuses what no longer applies.
func TestOpeningFailures(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			ctx := context.Background()
			two := newOpenFixture(t, b, 2)
			two.clock.Set(testDeadline.Add(ArrivalGrace))
			_, s, err := two.svc.CloseIfDue(ctx, two.sec.ID)
			if err != nil || s.State != StateFailed || s.FailReason == nil || !strings.Contains(*s.FailReason, "3") {
				t.Fatalf("two bids: %+v %v", s, err)
			}
			_, err = two.svc.Decrypt(ctx, bidderOf(4), two.sec.ID, two.dek(t, 4))
			wantCode(t, "decrypt in a failed section", err, "wrong_phase")
			if v, _ := two.svc.Room(ctx, bidderOf(4), two.sec.ID); v.Phase != PhaseClosed || v.FailReason == "" {
				t.Fatalf("a failed section's room: %+v", v)
			}
			// The agent re-tenders it: a new draft round that points back.
			_, err = two.svc.Retender(ctx, bidderOf(4), two.sec.ID)
			if !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("a bidder re-tendering: %v", err)
			}
			next, err := two.svc.Retender(ctx, two.agent, two.sec.ID)
			if err != nil || next.State != StateDraft || next.PreviousID == nil || *next.PreviousID != two.sec.ID || next.ID == two.sec.ID {
				t.Fatalf("retender: %+v %v", next, err)
			}
			_, err = two.svc.Retender(ctx, two.agent, two.sec.ID)
			wantCode(t, "re-tendering twice", err, "already_retendered")
			_, err = two.svc.Retender(ctx, two.agent, next.ID)
			wantCode(t, "re-tendering a draft", err, "not_failed")

			three := newOpenFixture(t, b, 3)
			three.clock.Set(testDeadline.Add(-time.Minute))
			for org := int64(4); org <= 6; org++ {
				if err := three.signIn(t, org); err != nil {
					t.Fatal(err)
				}
			}
			three.clock.Set(testDeadline.Add(ArrivalGrace))
			if _, s, err := three.svc.CloseIfDue(ctx, three.sec.ID); err != nil || s.State != StateOpening {
				t.Fatalf("three bids: %+v %v", s, err)
			}
			if _, err := three.svc.Decrypt(ctx, bidderOf(4), three.sec.ID, three.dek(t, 4)); err != nil {
				t.Fatal(err)
			}
			three.clock.Set(testDeadline.Add(time.Hour))
			if n, err := three.svc.Sweep(ctx); err != nil || n != 0 {
				t.Fatalf("sweep: %d %v", n, err)
			}
			sec, _ := three.svc.st.section(ctx, three.sec.ID, false)
			if sec.State != StateFailed || sec.FailReason == nil || !strings.Contains(*sec.FailReason, "decrypted") {
				t.Fatalf("after the window: %+v", sec)
			}
			three.checkRecord(t, 3, 1)
		})
	}
}

var _ = accounts.RoleBidder
var _ = strconv.Itoa
