package bidding

import (
	"bytes"
	"context"
	"testing"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// TestBidHeader: a bidder reads back its stored bid's header (the bytes it
// sealed, from which the browser unwraps the data key); another
// organisation's bid is not found.
func TestBidHeader(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newUpFixture(t, b, 1)
			ctx := context.Background()
			sec := f.announced(t, false, testDeadline)
			env := f.seal(t, 4, sec, "报价 1000 元")
			u := f.upload(t, f.bidder, sec, env, 1<<20)
			if _, err := f.svc.FinalizeUpload(ctx, f.bidder, u.ID, 0); err != nil {
				t.Fatal(err)
			}
			bids, _ := f.svc.MyBids(ctx, f.bidder, sec.ID)
			raw, err := f.svc.BidHeader(ctx, f.bidder, bids[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			h, err := notary.ParseHeader(bytes.NewReader(env))
			if err != nil || !bytes.Equal(raw, h.Raw) {
				t.Fatalf("header differs from the envelope's (%d vs %d bytes): %v", len(raw), len(h.Raw), err)
			}
			if _, err := notary.UnwrapDEK(h, f.keys[4]); err != nil {
				t.Fatalf("the returned header does not unwrap: %v", err)
			}
			if _, err := f.svc.BidHeader(ctx, bidderOf(5), bids[0].ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("another organisation read the header: %v", err)
			}
		})
	}
}

// TestListProjectsAndPublicSection: the agent lists its agency's projects,
// another agency sees none of them, a supervisor sees all; the public
// announcement names the project and section ids a bid must be sealed for
// and the rulebook's size limit.
func TestListProjectsAndPublicSection(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newFixture(t, b)
			ctx := context.Background()
			sec := f.announced(t, false, testDeadline)
			mine, err := f.svc.ListProjects(ctx, f.agent)
			if err != nil || len(mine) != 1 || len(mine[0].Sections) != 1 || mine[0].Sections[0].ID != sec.ID {
				t.Fatalf("agent's projects: %+v %v", mine, err)
			}
			if other, err := f.svc.ListProjects(ctx, f.other); err != nil || len(other) != 0 {
				t.Fatalf("another agency sees %d projects: %v", len(other), err)
			}
			sup := accounts.Principal{UserID: 30, Roles: []accounts.Role{accounts.RoleSupervisor}}
			if all, err := f.svc.ListProjects(ctx, sup); err != nil || len(all) != 1 {
				t.Fatalf("supervisor: %d %v", len(all), err)
			}
			page, err := f.svc.ListAnnouncements(ctx, Filter{})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("listing: %+v %v", page, err)
			}
			a := page.Items[0]
			if a.ProjectID != sec.ProjectID || a.SectionCode != "B010101" || a.SectionName != "货物" || a.MaxBidBytes != sec.Rulebook.MaxBidBytes || a.MaxBidBytes == 0 {
				t.Fatalf("listing item %+v", a)
			}
			d, err := f.svc.PublicAnnouncement(ctx, a.ID)
			if err != nil || d.ProjectID != sec.ProjectID || d.SectionCode != "B010101" || d.MaxBidBytes != a.MaxBidBytes {
				t.Fatalf("detail %+v %v", d.PublicAnnouncement, err)
			}
		})
	}
}

// TestSectionAnnouncementAndObjections: the agent reads back its draft and
// published announcement and the section's objections; another agency may not.
func TestSectionAnnouncementAndObjections(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newFixture(t, b)
			ctx := context.Background()
			sec := f.announced(t, false, testDeadline)
			a, err := f.svc.SectionAnnouncement(ctx, f.agent, sec.ID)
			if err != nil || a.Status != AnnouncementPublished || a.SectionID != sec.ID {
				t.Fatalf("announcement: %+v %v", a, err)
			}
			if _, err := f.svc.SectionAnnouncement(ctx, f.other, sec.ID); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("other agency: %v", err)
			}
			if _, err := f.svc.RaiseObjection(ctx, f.bidder, sec.ID, "评分标准有倾向性"); err != nil {
				t.Fatal(err)
			}
			obs, err := f.svc.SectionObjections(ctx, f.agent, sec.ID)
			if err != nil || len(obs) != 1 || obs[0].Body != "评分标准有倾向性" {
				t.Fatalf("objections: %+v %v", obs, err)
			}
		})
	}
}
