package bidding

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// This file is the package's only user of gorm. Every function runs on the
// connection carried by ctx, so it joins the caller's transaction. Times
// are compared in Go, not SQL (SQLite stores them as text).

type store struct{ db *storage.DB }

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

func notFound(err error, zh, en string) error {
	if storage.Translate(err) != nil && apperr.Is(storage.Translate(err), apperr.NotFound) {
		return apperr.Wrap(err, apperr.NotFound, zh, en)
	}
	return storage.Translate(err)
}

// orgKind returns the kind of organisation id, NotFound when there is none.
func (st store) orgKind(ctx context.Context, id int64) (string, error) {
	var kinds []string
	if err := st.conn(ctx).Raw("SELECT kind FROM organizations WHERE id = ?", id).Scan(&kinds).Error; err != nil {
		return "", storage.Translate(err)
	}
	if len(kinds) == 0 {
		return "", apperr.Newf(apperr.NotFound, "单位 %d 不存在", "organisation %d does not exist", id)
	}
	return kinds[0], nil
}

func (st store) insert(ctx context.Context, row any) error {
	return storage.Translate(st.conn(ctx).Create(row).Error)
}

func (st store) save(ctx context.Context, row any) error {
	return storage.Translate(st.conn(ctx).Save(row).Error)
}

func (st store) project(ctx context.Context, id int64) (Project, error) {
	var p Project
	err := st.conn(ctx).First(&p, id).Error
	return p, notFound(err, "项目不存在", "project not found")
}

// projectsFor lists up to 200 projects, newest first: every project when
// all, else those whose agency or tenderer is org or whose id is granted.
func (st store) projectsFor(ctx context.Context, org int64, all bool, granted []string) ([]Project, error) {
	q := st.conn(ctx).Order("id DESC").Limit(200)
	if !all {
		q = q.Where("agency_org_id = ? OR tenderer_org_id = ? OR id IN ?", org, org, append(granted, "0"))
	}
	var out []Project
	return out, storage.Translate(q.Find(&out).Error)
}

func (st store) sections(ctx context.Context, projectID int64) ([]Section, error) {
	var out []Section
	err := st.conn(ctx).Where("project_id = ?", projectID).Order("id").Find(&out).Error
	return out, storage.Translate(err)
}

// section reads a section; forUpdate locks the row until the transaction
// ends (on SQLite the transaction holds the write lock already).
func (st store) section(ctx context.Context, id int64, forUpdate bool) (Section, error) {
	var s Section
	q := st.conn(ctx)
	if forUpdate && st.db.Dialect() == storage.MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.First(&s, id).Error
	return s, notFound(err, "标段不存在", "section not found")
}

// sectionsIn returns the sections in state, for the deadline sweep.
func (st store) sectionsIn(ctx context.Context, state State) ([]Section, error) {
	var out []Section
	err := st.conn(ctx).Where("state = ?", state).Order("id").Find(&out).Error
	return out, storage.Translate(err)
}

func (st store) deadlineChanges(ctx context.Context, sectionID int64) ([]DeadlineChange, error) {
	var out []DeadlineChange
	err := st.conn(ctx).Where("section_id = ?", sectionID).Order("id").Find(&out).Error
	return out, storage.Translate(err)
}

// announcementOf returns the section's announcement, NotFound when none.
func (st store) announcementOf(ctx context.Context, sectionID int64) (Announcement, error) {
	var a Announcement
	err := st.conn(ctx).Where("section_id = ?", sectionID).First(&a).Error
	return a, notFound(err, "标段尚无公告", "the section has no announcement")
}

func (st store) announcement(ctx context.Context, id int64) (Announcement, error) {
	var a Announcement
	err := st.conn(ctx).First(&a, id).Error
	return a, notFound(err, "公告不存在", "announcement not found")
}

// listingRow is a published announcement joined with its section and project.
type listingRow struct {
	Announcement
	State       State      `gorm:"column:state"`
	Deadline    *time.Time `gorm:"column:section_deadline"`
	Paused      *time.Time `gorm:"column:paused_since"`
	ProjectName string     `gorm:"column:project_name"`
	ProjectID   int64      `gorm:"column:project_id"`
	SectionCode string     `gorm:"column:section_code"`
	SectionName string     `gorm:"column:section_name"`
	Rulebook    Rulebook   `gorm:"column:rulebook;serializer:json"`
	FailReason  *string    `gorm:"column:fail_reason"`
	Cancel      string     `gorm:"column:cancel_reason"`
}

// publishedAnnouncements lists published announcements newest first, below
// the cursor (an announcement ID; 0 for the first page).
func (st store) publishedAnnouncements(ctx context.Context, f Filter, limit int) ([]listingRow, error) {
	q := st.conn(ctx).Table("bid_announcements a").
		Select("a.*, s.state, s.deadline AS section_deadline, s.paused_since, p.name AS project_name, "+
			"p.id AS project_id, s.code AS section_code, s.name AS section_name, s.rulebook, s.fail_reason, s.cancel_reason").
		Joins("JOIN bid_sections s ON s.id = a.section_id").
		Joins("JOIN bid_projects p ON p.id = s.project_id").
		Where("a.status = ?", AnnouncementPublished)
	if f.Cursor > 0 {
		q = q.Where("a.id < ?", f.Cursor)
	}
	if f.Keyword != "" {
		like := "%" + escapeLike(f.Keyword) + "%"
		q = q.Where("(a.title LIKE ? ESCAPE '!' OR a.body LIKE ? ESCAPE '!' OR p.name LIKE ? ESCAPE '!' OR s.code LIKE ? ESCAPE '!')", like, like, like, like)
	}
	if f.Region != "" {
		q = q.Where("a.region LIKE ? ESCAPE '!'", escapeLike(f.Region)+"%")
	}
	if f.Kind != "" {
		q = q.Where("a.kind = ?", f.Kind)
	}
	if f.Status != "" {
		q = q.Where("s.state = ?", f.Status)
	}
	if f.From != "" {
		q = q.Where("a.published_date >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("a.published_date <= ?", f.To)
	}
	var out []listingRow
	err := q.Order("a.id DESC").Limit(limit).Scan(&out).Error
	return out, storage.Translate(err)
}

func (st store) clarifications(ctx context.Context, projectID int64) ([]Clarification, error) {
	var out []Clarification
	err := st.conn(ctx).Where("project_id = ?", projectID).Order("id").Find(&out).Error
	return out, storage.Translate(err)
}

func (st store) questions(ctx context.Context, sectionID int64) ([]Question, error) {
	var out []Question
	err := st.conn(ctx).Where("section_id = ?", sectionID).Order("id").Find(&out).Error
	return out, storage.Translate(err)
}

func (st store) question(ctx context.Context, id int64) (Question, error) {
	var q Question
	err := st.conn(ctx).First(&q, id).Error
	return q, notFound(err, "问题不存在", "question not found")
}

func (st store) objectionsOf(ctx context.Context, sectionID int64) ([]Objection, error) {
	out := []Objection{}
	err := st.conn(ctx).Where("section_id = ?", sectionID).Order("id").Find(&out).Error
	return out, storage.Translate(err)
}

func (st store) objection(ctx context.Context, id int64) (Objection, error) {
	var o Objection
	err := st.conn(ctx).First(&o, id).Error
	return o, notFound(err, "异议不存在", "objection not found")
}

// openObjections counts the section's unanswered objections.
func (st store) openObjections(ctx context.Context, sectionID int64) (int64, error) {
	var n int64
	err := st.conn(ctx).Model(&Objection{}).Where("section_id = ? AND answered_at IS NULL", sectionID).Count(&n).Error
	return n, storage.Translate(err)
}

func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '!' {
			out = append(out, '!')
		}
		out = append(out, r)
	}
	return string(out)
}
