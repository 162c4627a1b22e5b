package bidding

import (
	"context"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Filter selects published announcements for the public listing.
type Filter struct {
	Keyword string // in title, body, project name or section code
	Region  string // administrative division code prefix, e.g. "3501"
	Kind    Kind   // engineering, goods, services
	Status  State  // the section's state, e.g. announced, closed
	From    string // published on or after this Shanghai date (YYYY-MM-DD)
	To      string // published on or before this Shanghai date
	Cursor  int64  // NextCursor of the previous page; 0 for the first
	Limit   int    // 1..100, default 20
}

// PublicAnnouncement is a published announcement as anyone may see it. Its
// Deadline is the section's effective deadline.
type PublicAnnouncement struct {
	ID          int64  `json:"id"`
	URL         string `json:"url"`
	Title       string `json:"title"`
	Body        string `json:"body"`
	Region      string `json:"region"`
	Kind        Kind   `json:"kind"`
	ProjectName string `json:"projectName"`
	ProjectID   int64  `json:"projectId"` // with SectionID, what a sealed bid's metadata names
	SectionID   int64  `json:"sectionId"`
	SectionCode string `json:"sectionCode"` // the tenderer's section number (标段编号)
	SectionName string `json:"sectionName"`
	MaxBidBytes int64  `json:"maxBidBytes"` // the rulebook's largest sealed bid, so a browser refuses a bigger file before sealing
	State       State  `json:"state"`
	Paused      bool   `json:"paused"`
	// FailReason says why a failed section (流标) failed; CancelReason why
	// a cancelled one was cancelled.
	FailReason   string     `json:"failReason,omitempty"`
	CancelReason string     `json:"cancelReason,omitempty"`
	DocsFrom     time.Time  `json:"docsFrom"`
	DocsUntil    time.Time  `json:"docsUntil"`
	Deadline     *time.Time `json:"deadline"`
	PublishedAt  *time.Time `json:"publishedAt"`
	Sandbox      bool       `json:"sandbox,omitempty"` // published by a sandbox: a test, without legal effect
}

// AnnouncementPage is one page of the listing.
type AnnouncementPage struct {
	Items      []PublicAnnouncement `json:"items"`
	NextCursor int64                `json:"nextCursor,omitempty"` // 0 when there is no more
}

// PublicURL is the stable public address of an announcement.
func PublicURL(id int64) string { return "/api/v1/public/announcements/" + strconv.FormatInt(id, 10) }

// ListAnnouncements returns published announcements, newest first,
// filtered by f. Errors: apperr.Invalid for a bad filter; those of storage.
func (s *Service) ListAnnouncements(ctx context.Context, f Filter) (AnnouncementPage, error) {
	if f.Limit <= 0 {
		f.Limit = 20
	}
	if f.Limit > 100 {
		f.Limit = 100
	}
	for name, d := range map[string]string{"from": f.From, "to": f.To} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			return AnnouncementPage{}, apperr.Newf(apperr.Invalid, "日期 %s 格式应为 YYYY-MM-DD", "date %s must be YYYY-MM-DD", name).WithField(name, "format")
		}
	}
	if f.Kind != "" && !f.Kind.valid() {
		return AnnouncementPage{}, apperr.New(apperr.Invalid, "类型应为 engineering、goods 或 services", "kind must be engineering, goods or services").WithField("kind", "unknown")
	}
	rows, err := s.st.publishedAnnouncements(ctx, f, f.Limit+1)
	if err != nil {
		return AnnouncementPage{}, err
	}
	page := AnnouncementPage{Items: []PublicAnnouncement{}}
	for i, r := range rows {
		if i == f.Limit {
			page.NextCursor = rows[i-1].ID
			break
		}
		item := publicOf(r)
		item.Sandbox = s.sandbox
		page.Items = append(page.Items, item)
	}
	return page, nil
}

func publicOf(r listingRow) PublicAnnouncement {
	return PublicAnnouncement{ID: r.ID, URL: PublicURL(r.ID), Title: r.Title, Body: r.Body, Region: r.Region, Kind: r.Kind,
		ProjectName: r.ProjectName, ProjectID: r.ProjectID, SectionID: r.SectionID, SectionCode: r.SectionCode,
		SectionName: r.SectionName, MaxBidBytes: r.Rulebook.MaxBidBytes, State: r.State, Paused: r.Paused != nil,
		DocsFrom: r.DocsFrom, DocsUntil: r.DocsUntil, Deadline: r.Deadline, PublishedAt: r.PublishedAt,
		FailReason: deref(r.FailReason), CancelReason: r.Cancel}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// PublicDetail is one published announcement with the project's
// clarifications and the section's answered questions (askers anonymous).
type PublicDetail struct {
	PublicAnnouncement
	Clarifications []Clarification `json:"clarifications"`
	Questions      []Question      `json:"questions"`
}

// PublicAnnouncement returns a published announcement by ID. Errors:
// apperr.NotFound for an unknown or unpublished one.
func (s *Service) PublicAnnouncement(ctx context.Context, id int64) (PublicDetail, error) {
	a, err := s.st.announcement(ctx, id)
	if err != nil {
		return PublicDetail{}, err
	}
	if a.Status != AnnouncementPublished {
		return PublicDetail{}, apperr.New(apperr.NotFound, "公告不存在", "announcement not found")
	}
	sec, p, err := s.sectionAndProject(ctx, a.SectionID, false)
	if err != nil {
		return PublicDetail{}, err
	}
	d := PublicDetail{PublicAnnouncement: publicOf(listingRow{Announcement: a, State: sec.State, Deadline: sec.Deadline,
		Paused: sec.PausedSince, ProjectName: p.Name, ProjectID: p.ID, SectionCode: sec.Code, SectionName: sec.Name,
		Rulebook: sec.Rulebook, FailReason: sec.FailReason, Cancel: sec.CancelReason})}
	d.Sandbox = s.sandbox
	if d.Clarifications, err = s.st.clarifications(ctx, p.ID); err != nil {
		return PublicDetail{}, err
	}
	qs, err := s.st.questions(ctx, sec.ID)
	d.Questions = []Question{}
	for _, q := range qs {
		if q.Answer != nil {
			d.Questions = append(d.Questions, q)
		}
	}
	return d, err
}
