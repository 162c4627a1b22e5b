package bidding

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// upFixture is a fixture with a blob store, a platform key and bidder
// organisations with registered keys.
type upFixture struct {
	*fixture
	blobs    storage.Blobs
	platform *notary.PrivateKey
	keys     map[int64]*notary.PrivateKey // by bidder organisation
}

func newUpFixture(t testing.TB, b dbtest.Backend, extraBidders int) *upFixture {
	t.Helper()
	f := &upFixture{fixture: newFixture(t, b), keys: map[int64]*notary.PrivateKey{}}
	fs, err := storage.NewFS(t.TempDir(), storage.PresignConfig{})
	if err != nil {
		t.Fatal(err)
	}
	f.blobs = fs
	if f.platform, err = notary.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	f.svc.SetBlobs(fs)
	f.svc.SetPlatformKey(f.platform)
	ctx := context.Background()
	db := f.svc.db
	for i := 0; i < extraBidders; i++ {
		id := int64(5 + i)
		if err := db.Conn(ctx).Exec("INSERT INTO organizations (id, kind, name, region, created_at, updated_at) VALUES (?, 'bidder', ?, '350100', ?, ?)",
			id, "bidder"+strconv.FormatInt(id, 10), f.clock.Now(), f.clock.Now()).Error; err != nil {
			t.Fatal(err)
		}
	}
	for id := int64(4); id < int64(5+extraBidders); id++ {
		k, err := notary.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		f.keys[id] = k
		if err := db.Conn(ctx).Exec("UPDATE organizations SET sm2_public_key = ? WHERE id = ?", k.Public().PEM, id).Error; err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func bidderOf(org int64) accounts.Principal {
	return accounts.Principal{UserID: 100 + org, OrgID: org, OrgKind: accounts.OrgBidder, Roles: []accounts.Role{accounts.RoleBidder}}
}

// seal returns a small envelope by org's key for the section.
func (f *upFixture) seal(t *testing.T, org int64, sec Section, body string) []byte {
	t.Helper()
	return sealFor(t, f.keys[org], strconv.FormatInt(sec.ProjectID, 10), strconv.FormatInt(sec.ID, 10), strconv.FormatInt(org, 10), body)
}

func sealFor(t testing.TB, key *notary.PrivateKey, project, section, bidder, body string) []byte {
	t.Helper()
	var out bytes.Buffer
	_, err := notary.Seal(context.Background(), &out, bytes.NewReader([]byte(body)), notary.SealOptions{Signer: key,
		Recipients: []*notary.PublicKey{key.Public()}, ChunkSize: notary.MinChunkSize,
		Meta: notary.Metadata{Project: project, Section: section, Bidder: bidder, SealedAt: time.Unix(1, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// upload creates an upload and appends env in chunks of n bytes.
func (f *upFixture) upload(t *testing.T, actor accounts.Principal, sec Section, env []byte, n int) Upload {
	t.Helper()
	ctx := context.Background()
	u, err := f.svc.CreateUpload(ctx, actor, sec.ID)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(env); off += n {
		end := min(off+n, len(env))
		if u, err = f.svc.AppendUpload(ctx, actor, u.ID, int64(off), bytes.NewReader(env[off:end]), int64(end-off)); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// submit uploads env in chunks of n bytes and finalizes it, returning the
// step ("append" or "finalize") and error of the first failure.
func (f *upFixture) submit(t *testing.T, actor accounts.Principal, sec Section, env []byte, n int) (string, error) {
	t.Helper()
	ctx := context.Background()
	u, err := f.svc.CreateUpload(ctx, actor, sec.ID)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(env); off += n {
		end := min(off+n, len(env))
		if _, err := f.svc.AppendUpload(ctx, actor, u.ID, int64(off), bytes.NewReader(env[off:end]), int64(end-off)); err != nil {
			return "append", err
		}
	}
	_, err = f.svc.FinalizeUpload(ctx, actor, u.ID, 0)
	return "finalize", err
}

// objects lists the blob keys under prefix.
func (f *upFixture) objects(t *testing.T, prefix string) []string {
	t.Helper()
	infos, err := f.blobs.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, i := range infos {
		out = append(out, i.Key)
	}
	return out
}

func (f *upFixture) countBids(t *testing.T, sectionID int64, status BidStatus) int64 {
	t.Helper()
	var n int64
	q := f.svc.db.Conn(context.Background()).Model(&Bid{}).Where("section_id = ?", sectionID)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// codeOf returns the apperr code of err, "" when none.
func codeOf(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return ""
}
