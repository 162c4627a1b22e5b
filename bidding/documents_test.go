package bidding

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/storage"
)

func TestCleanDocName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"招标文件.pdf", "招标文件.pdf"},
		{"  a.pdf ", "a.pdf"},
		{`C:\x\图纸.dwg`, "图纸.dwg"},
		{"../../etc/passwd", "passwd"},
		{"", ""},
		{"..", ""},
		{"a\nb.pdf", ""},
		{strings.Repeat("长", 201), ""},
	} {
		got, err := cleanDocName(tc.in)
		if got != tc.want || (tc.want == "") != apperr.Is(err, apperr.Invalid) {
			t.Errorf("cleanDocName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestLimitedReaderStopsOverTheLimit(t *testing.T) {
	for _, tc := range []struct {
		size    int
		tooBig  bool
		readAll int
	}{{4, false, 4}, {5, false, 5}, {6, true, 5}, {100, true, 5}} {
		l := &limitedReader{r: bytes.NewReader(make([]byte, tc.size)), left: 6} // at most 5 bytes
		b, err := io.ReadAll(l)
		if apperr.Is(err, apperr.TooLarge) != tc.tooBig || (tc.tooBig && l.left > 0) || (!tc.tooBig && len(b) != tc.readAll) {
			t.Errorf("size %d: read %d, err %v, left %d", tc.size, len(b), err, l.left)
		}
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	f.n -= len(p)
	return len(p), nil
}

// TestDocumentsService covers the service's rules: no blob store, failed
// uploads leaving no object, uploads refused once bidding closed, and the
// downloaders secret until the deadline (also on a cancelled section).
func TestDocumentsService(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, b)
			deadline := f.clock.Now().AddDate(0, 0, 30)
			sec := f.announced(t, false, deadline)
			up := func() DocumentUpload { return DocumentUpload{Name: "a.pdf", Body: strings.NewReader("pdf"), Size: 3} }
			if _, err := f.svc.UploadDocument(ctx, f.agent, sec.ID, up()); !apperr.Is(err, apperr.Unavailable) {
				t.Fatalf("without a blob store: %v", err)
			}
			blobs, err := storage.NewFS(t.TempDir(), storage.PresignConfig{})
			if err != nil {
				t.Fatal(err)
			}
			f.svc.SetDocumentBlobs(blobs)
			noObjects := func(when string) {
				if l, _ := blobs.List(ctx, "docs/"); len(l) != 1 {
					t.Fatalf("%s: objects %+v, want the one good document", when, l)
				}
			}
			doc, err := f.svc.UploadDocument(ctx, f.agent, sec.ID, up())
			if err != nil || len(doc.SM3) != 64 || doc.Size != 3 {
				t.Fatalf("upload: %+v %v", doc, err)
			}
			if _, err := f.svc.UploadDocument(ctx, f.agent, sec.ID, DocumentUpload{Name: "b.pdf", Body: &failingReader{n: 1 << 20}, Size: -1}); err == nil {
				t.Fatal("a broken body was accepted")
			}
			noObjects("after a broken upload")
			if _, err := f.svc.UploadDocument(ctx, f.bidder, sec.ID, up()); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("bidder upload: %v", err)
			}
			if _, err := f.svc.DownloadDocument(ctx, f.bidder, doc.ID, "198.51.100.7"); err != nil {
				t.Fatal(err)
			}
			supervisor := accounts.Principal{UserID: 20, Roles: []accounts.Role{accounts.RoleSupervisor}}
			for _, p := range []accounts.Principal{f.agent, f.admin, supervisor} {
				if _, err := f.svc.Downloaders(ctx, p, sec.ID); !apperr.Is(err, apperr.Conflict) {
					t.Fatalf("before the deadline %v: %v", p.Roles, err)
				}
			}
			for _, p := range []accounts.Principal{f.bidder, f.other, f.tenderer} {
				if _, err := f.svc.Downloaders(ctx, p, sec.ID); !apperr.Is(err, apperr.Forbidden) {
					t.Fatalf("%d: %v", p.UserID, err)
				}
			}
			// Cancelled before the deadline: still secret until it passes.
			if _, err := f.svc.Cancel(ctx, f.agent, sec.ID, "预算调整"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Downloaders(ctx, f.agent, sec.ID); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("cancelled before the deadline: %v", err)
			}
			if _, err := f.svc.UploadDocument(ctx, f.agent, sec.ID, up()); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("upload to a cancelled section: %v", err)
			}
			noObjects("after a refused upload")
			f.clock.Set(deadline.Add(time.Millisecond))
			d, err := f.svc.Downloaders(ctx, supervisor, sec.ID)
			if err != nil || d.Count != 1 || len(d.Downloads) != 1 || d.Downloads[0].IP != "198.51.100.7" || d.Downloads[0].OrgID != f.bidder.OrgID {
				t.Fatalf("after the deadline: %+v %v", d, err)
			}
			if orgs, err := f.svc.DownloaderOrgs(ctx, sec.ID); err != nil || len(orgs) != 1 || orgs[0] != f.bidder.OrgID {
				t.Fatalf("downloader orgs %v %v", orgs, err)
			}
		})
	}
}
