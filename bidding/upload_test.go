package bidding

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

var testDeadline = sh("2026-11-23 09:30")

func TestUploadFinalizeReplaceWithdraw(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newUpFixture(t, b, 0)
			ctx := context.Background()
			sec := f.announced(t, true, testDeadline)
			env := f.seal(t, 4, sec, strings.Repeat("报价 1000 元。", 200))
			u := f.upload(t, f.bidder, sec, env, 700)
			if got, err := f.svc.GetUpload(ctx, f.bidder, u.ID); err != nil || got.Size != int64(len(env)) {
				t.Fatalf("status: %+v %v", got, err)
			}
			r1, err := f.svc.FinalizeUpload(ctx, f.bidder, u.ID, int64(len(env)))
			if err != nil {
				t.Fatal(err)
			}
			if err := r1.Verify(f.platform.Public()); err != nil || r1.Receipt.CiphertextSize != int64(len(env)) || r1.Receipt.LogIndex <= 0 {
				t.Fatalf("receipt %+v: %v", r1, err)
			}
			if parts := f.objects(t, "uploads/"); len(parts) != 0 {
				t.Fatalf("parts left: %v", parts)
			}
			// Replace: the old bid is kept, superseded.
			u2 := f.upload(t, f.bidder, sec, f.seal(t, 4, sec, "第二版"), 1<<20)
			r2, err := f.svc.FinalizeUpload(ctx, f.bidder, u2.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if f.countBids(t, sec.ID, BidCurrent) != 1 || f.countBids(t, sec.ID, BidSuperseded) != 1 {
				t.Fatal("replace did not supersede")
			}
			// Others see nothing of it.
			if _, err := f.svc.GetUpload(ctx, bidderOf(5), u.ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("other bidder sees the upload: %v", err)
			}
			mine, err := f.svc.MyBids(ctx, f.bidder, sec.ID)
			if err != nil || len(mine) != 2 || string(mine[0].Receipt) == "{}" {
				t.Fatalf("my bids: %+v %v", mine, err)
			}
			if _, err := f.svc.BidCount(ctx, f.agent, sec.ID); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("count before the deadline: %v", err)
			}
			// Withdraw, then withdrawing again conflicts.
			if _, err := f.svc.WithdrawBid(ctx, f.bidder, mine[0].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.WithdrawBid(ctx, f.bidder, mine[0].ID); codeOf(err) != "bid_not_current" {
				t.Fatalf("second withdraw: %v", err)
			}
			_ = r2
			f.clock.Set(testDeadline.Add(ArrivalGrace))
			if closed, _, err := f.svc.CloseIfDue(ctx, sec.ID); err != nil || !closed {
				t.Fatalf("close: %v %v", closed, err)
			}
			if n, err := f.svc.BidCount(ctx, f.agent, sec.ID); err != nil || n != 0 {
				t.Fatalf("count after: %d %v", n, err)
			}
		})
	}
}

// TestUploadBadInput: each bad input fails with its precise error and
// leaves no bid object, no bid row.
func TestUploadBadInput(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newUpFixture(t, b, 1)
			ctx := context.Background()
			sec := f.announced(t, true, testDeadline)
			other := f.announced(t, true, testDeadline)
			good := f.seal(t, 4, sec, strings.Repeat("x", 3000))

			// Chunk at the wrong offset and duplicated chunk: 409 naming the offset.
			u, err := f.svc.CreateUpload(ctx, f.bidder, sec.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.AppendUpload(ctx, f.bidder, u.ID, 10, bytes.NewReader(good[:10]), 10); codeOf(err) != "wrong_offset" {
				t.Fatalf("skipped chunk: %v", err)
			}
			if _, err := f.svc.AppendUpload(ctx, f.bidder, u.ID, 0, bytes.NewReader(good[:1000]), 1000); err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.AppendUpload(ctx, f.bidder, u.ID, 0, bytes.NewReader(good[:1000]), 1000)
			if e, _ := apperr.As(err); codeOf(err) != "wrong_offset" || !strings.Contains(e.Error(), "1000") {
				t.Fatalf("duplicated chunk: %v", err)
			}
			// Truncated upload at finalize: with the size, resume; without, the verifier says truncated.
			if _, err := f.svc.FinalizeUpload(ctx, f.bidder, u.ID, int64(len(good))); codeOf(err) != "upload_incomplete" {
				t.Fatalf("incomplete: %v", err)
			}
			if _, err := f.svc.FinalizeUpload(ctx, f.bidder, u.ID, 0); codeOf(err) != "truncated" {
				t.Fatalf("truncated: %v", err)
			}
			// The upload is still open and resumes to success.
			if _, err := f.svc.AppendUpload(ctx, f.bidder, u.ID, 1000, bytes.NewReader(good[1000:]), int64(len(good)-1000)); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.FinalizeUpload(ctx, f.bidder, u.ID, int64(len(good))); err != nil {
				t.Fatalf("resumed finalize: %v", err)
			}
			// Finalize again, as after a lost answer: the same receipt, no second bid.
			r1, _ := f.svc.FinalizeUpload(ctx, f.bidder, u.ID, 0)
			r2, err := f.svc.FinalizeUpload(ctx, f.bidder, u.ID, 0)
			if err != nil || r2.Receipt != r1.Receipt || !bytes.Equal(r2.Signature, r1.Signature) || f.countBids(t, sec.ID, "") != 1 {
				t.Fatalf("finalize twice: %+v, %v", r2, err)
			}

			tampered := append([]byte(nil), good...)
			tampered[len(tampered)/2] ^= 1
			unsigned := append([]byte(nil), good[:len(good)-20]...)
			// The envelope is checked as it arrives: a header fault stops
			// the upload at the chunk that completes the header; a fault
			// only the whole envelope shows is refused at finalize.
			for name, tc := range map[string]struct {
				env  []byte
				code string
				step string
			}{
				"envelope of another section": {sealFor(t, f.keys[4], itoa64(sec.ProjectID), itoa64(other.ID), "4", "x"), "wrong_section", "append"},
				"envelope of another project": {f.seal(t, 4, other, "x"), "wrong_project", "append"},
				"another bidder's key":        {sealFor(t, f.keys[5], itoa64(sec.ProjectID), itoa64(sec.ID), "4", "x"), "wrong_signer", "append"},
				"tampered":                    {tampered, "digest_mismatch", "finalize"},
				"signature cut off":           {unsigned, "truncated", "finalize"},
				"not an envelope":             {[]byte(strings.Repeat("PK\x03\x04", 100)), "not_an_envelope", "append"},
			} {
				before := f.countBids(t, sec.ID, "")
				step, err := f.submit(t, f.bidder, sec, tc.env, 500)
				if !apperr.Is(err, apperr.Invalid) || codeOf(err) != tc.code || step != tc.step {
					t.Errorf("%s: %s: %v (code %q), want %s at %s", name, step, err, codeOf(err), tc.code, tc.step)
				}
				if f.countBids(t, sec.ID, "") != before {
					t.Errorf("%s: a bid row was written", name)
				}
			}
			if objs := f.objects(t, "bids/"); len(objs) != 1 {
				t.Fatalf("bid objects: %v", objs)
			}

			// Finalize 1 ms after the deadline: TooLate, parts removed, no object.
			late := f.upload(t, f.bidder, sec, good, 4096)
			f.clock.Set(testDeadline.Add(time.Millisecond))
			_, err = f.svc.FinalizeUpload(ctx, f.bidder, late.ID, 0)
			if !apperr.Is(err, apperr.TooLate) || codeOf(err) != "deadline_passed" {
				t.Fatalf("late finalize: %v", err)
			}
			if got, _ := f.svc.GetUpload(ctx, f.bidder, late.ID); got.Status != UploadLate {
				t.Fatalf("late upload status %s", got.Status)
			}
			if objs := f.objects(t, "uploads/"+late.ID); len(objs) != 0 {
				t.Fatalf("late parts left: %v", objs)
			}
			if objs := f.objects(t, "bids/"); len(objs) != 1 {
				t.Fatalf("bid objects after late: %v", objs)
			}
			if _, err := f.svc.CreateUpload(ctx, f.bidder, sec.ID); !apperr.Is(err, apperr.TooLate) {
				t.Fatalf("create after the deadline: %v", err)
			}
		})
	}
}

func itoa64(n int64) string { return itoa(int(n)) }

func TestExpireUploads(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newUpFixture(t, b, 0)
			ctx := context.Background()
			defer func(g time.Duration) { orphanGrace = g }(orphanGrace)
			orphanGrace = 0
			sec := f.announced(t, true, testDeadline)
			env := f.seal(t, 4, sec, strings.Repeat("x", 2000))
			stale := f.upload(t, f.bidder, sec, env[:1000], 500)
			f.clock.Advance(UploadTTL + time.Minute)
			fresh := f.upload(t, f.bidder, sec, env[:1000], 500)
			// An object a crash left behind, with no upload row.
			if _, err := f.blobs.Save(ctx, "uploads/orphan/00000000000000000000-x", strings.NewReader("x"), 1); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(UploadTTL / 2)
			if n, err := f.svc.ExpireUploads(ctx); err != nil || n != 1 {
				t.Fatalf("expired %d: %v", n, err)
			}
			if got, _ := f.svc.GetUpload(ctx, f.bidder, stale.ID); got.Status != UploadExpired {
				t.Fatalf("stale upload %s", got.Status)
			}
			if objs := f.objects(t, "uploads/"); len(objs) != 2 || !strings.HasPrefix(objs[0], "uploads/"+fresh.ID) {
				t.Fatalf("objects left: %v", objs)
			}
			if _, err := f.svc.AppendUpload(ctx, f.bidder, stale.ID, 1000, strings.NewReader("y"), 1); codeOf(err) != "upload_expired" {
				t.Fatalf("append to expired: %v", err)
			}
			// At the deadline every unfinished upload is over.
			f.clock.Set(testDeadline)
			if n, err := f.svc.ExpireUploads(ctx); err != nil || n != 1 {
				t.Fatalf("expired at deadline %d: %v", n, err)
			}
			if objs := f.objects(t, "uploads/"); len(objs) != 0 {
				t.Fatalf("objects left after the deadline: %v", objs)
			}
		})
	}
}

// TestUploadPiecesAndParts: chunks below the part minimum wait as pieces
// and go out with the next chunk that fills a part; the finalized object is
// exactly the envelope, and nothing but it is left.
func TestUploadPiecesAndParts(t *testing.T) {
	f := newUpFixture(t, dbtest.SQLite, 0)
	ctx := context.Background()
	sec := f.announced(t, true, testDeadline)
	var pkg bytes.Buffer
	for pkg.Len() < 13<<20 {
		pkg.WriteString(strconv.Itoa(pkg.Len()))
	}
	var env bytes.Buffer
	if _, err := notary.Seal(ctx, &env, bytes.NewReader(pkg.Bytes()), notary.SealOptions{Signer: f.keys[4],
		Recipients: []*notary.PublicKey{f.keys[4].Public()}, Meta: notary.Metadata{Project: itoa64(sec.ProjectID),
			Section: itoa64(sec.ID), Bidder: "4", SealedAt: time.Unix(1, 0)}}); err != nil {
		t.Fatal(err)
	}
	data := env.Bytes()
	u, err := f.svc.CreateUpload(ctx, f.bidder, sec.ID)
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for _, n := range []int{1 << 20, 3 << 20, 2 << 20, 5<<20 + 12345, 700} {
		if u, err = f.svc.AppendUpload(ctx, f.bidder, u.ID, int64(off), bytes.NewReader(data[off:off+n]), int64(n)); err != nil {
			t.Fatalf("append %d at %d: %v", n, off, err)
		}
		off += n
	}
	if u, err = f.svc.AppendUpload(ctx, f.bidder, u.ID, int64(off), bytes.NewReader(data[off:]), int64(len(data)-off)); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.FinalizeUpload(ctx, f.bidder, u.ID, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.blobs.Open(ctx, "bids/"+itoa64(sec.ID)+"/"+u.ID+".the", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	var stored bytes.Buffer
	stored.ReadFrom(got)
	if !bytes.Equal(stored.Bytes(), data) || r.Receipt.CiphertextSize != int64(len(data)) {
		t.Fatalf("stored %d bytes, want the %d-byte envelope", stored.Len(), len(data))
	}
	if objs := f.objects(t, ""); len(objs) != 1 {
		t.Fatalf("objects left besides the bid: %v", objs)
	}
}
