package approval

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// This file and store_cases.go are the package's only users of gorm. Every
// function runs on the connection carried by ctx, joining the caller's
// transaction if any.

type itemRow struct {
	ID              int64     `gorm:"column:id;primaryKey"`
	Code            string    `gorm:"column:code"`
	Version         int       `gorm:"column:version"`
	Name            string    `gorm:"column:name"`
	DepartmentOrgID int64     `gorm:"column:department_org_id"`
	LegalBasis      string    `gorm:"column:legal_basis"`
	Conditions      string    `gorm:"column:conditions"`
	LegalDays       int       `gorm:"column:legal_days"`
	PromisedDays    int       `gorm:"column:promised_days"`
	FeeFen          int64     `gorm:"column:fee_fen"`
	Visits          int       `gorm:"column:visits"`
	Online          bool      `gorm:"column:online"`
	FastLane        bool      `gorm:"column:fast_lane"`
	Steps           string    `gorm:"column:steps"`
	Materials       string    `gorm:"column:materials"`
	FAQs            string    `gorm:"column:faqs"`
	WindowName      string    `gorm:"column:window_name"`
	WindowLocation  string    `gorm:"column:window_location"`
	ComplaintPhone  string    `gorm:"column:complaint_phone"`
	State           string    `gorm:"column:state"`
	Parts           *string   `gorm:"column:parts"` // NULL for items saved before parts existed
	CreatedBy       int64     `gorm:"column:created_by"`
	CreatedAt       time.Time `gorm:"column:created_at"`
}

// TableName maps itemRow to approval_items.
func (itemRow) TableName() string { return "approval_items" }

type store struct{ db *storage.DB }

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

// locked adds FOR UPDATE on MySQL; on SQLite the transaction already holds
// the write lock.
func (st store) locked(q *gorm.DB) *gorm.DB {
	if st.db.Dialect() == storage.MySQL {
		return q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q
}

// insertNew inserts row unless a row with the same unique key exists,
// reporting whether it was added; driver errors come back translated.
func (st store) insertNew(ctx context.Context, row any) (bool, error) {
	res := st.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(row)
	if res.Error != nil {
		return false, storage.Translate(res.Error)
	}
	return res.RowsAffected == 1, nil
}

func notFound(err error, zh, en string) error {
	if t := storage.Translate(err); t != nil && apperr.Is(t, apperr.NotFound) {
		return apperr.Wrap(err, apperr.NotFound, zh, en).WithCode("not_found")
	}
	return storage.Translate(err)
}

func toItemRow(it Item, by int64) itemRow {
	steps, _ := json.Marshal(it.Steps)
	mats, _ := json.Marshal(it.Materials)
	faqs, _ := json.Marshal(it.FAQs)
	parts, _ := json.Marshal(append([]string{}, it.Parts...))
	ps := string(parts)
	return itemRow{Parts: &ps, ID: it.ID, Code: it.Code, Version: it.Version, Name: it.Name, DepartmentOrgID: it.DepartmentOrgID,
		LegalBasis: it.LegalBasis, Conditions: it.Conditions, LegalDays: it.LegalDays, PromisedDays: it.PromisedDays,
		FeeFen: it.FeeFen, Visits: it.Visits, Online: it.Online, FastLane: it.FastLane, Steps: string(steps),
		Materials: string(mats), FAQs: string(faqs), WindowName: it.WindowName, WindowLocation: it.WindowLocation,
		ComplaintPhone: it.ComplaintPhone, State: string(it.State), CreatedBy: by, CreatedAt: it.CreatedAt}
}

func (r itemRow) item() (Item, error) {
	it := Item{ID: r.ID, Code: r.Code, Version: r.Version, Name: r.Name, DepartmentOrgID: r.DepartmentOrgID,
		LegalBasis: r.LegalBasis, Conditions: r.Conditions, LegalDays: r.LegalDays, PromisedDays: r.PromisedDays,
		FeeFen: r.FeeFen, Visits: r.Visits, Online: r.Online, FastLane: r.FastLane, WindowName: r.WindowName,
		WindowLocation: r.WindowLocation, ComplaintPhone: r.ComplaintPhone, State: ItemState(r.State), CreatedAt: r.CreatedAt.UTC()}
	for _, f := range []struct {
		s string
		v any
	}{{r.Steps, &it.Steps}, {r.Materials, &it.Materials}, {r.FAQs, &it.FAQs}} {
		if err := json.Unmarshal([]byte(f.s), f.v); err != nil {
			return Item{}, apperr.Wrap(err, apperr.Internal, "事项数据损坏", "a stored item is corrupt")
		}
	}
	if r.Parts != nil && *r.Parts != "[]" {
		if err := json.Unmarshal([]byte(*r.Parts), &it.Parts); err != nil {
			return Item{}, apperr.Wrap(err, apperr.Internal, "事项数据损坏", "a stored item is corrupt")
		}
	}
	return it, nil
}

// latestItem returns the newest version of code, NotFound when none.
func (st store) latestItem(ctx context.Context, code string, lock bool) (Item, error) {
	var r itemRow
	q := st.conn(ctx)
	if lock {
		q = st.locked(q)
	}
	if err := q.Where("code = ?", code).Order("version DESC").First(&r).Error; err != nil {
		return Item{}, notFound(err, "审批事项不存在："+code, "no approval item "+code)
	}
	return r.item()
}

// itemByID returns one stored version.
func (st store) itemByID(ctx context.Context, id int64) (Item, error) {
	var r itemRow
	if err := st.conn(ctx).First(&r, id).Error; err != nil {
		return Item{}, notFound(err, "审批事项不存在", "approval item not found")
	}
	return r.item()
}

func (st store) insertItem(ctx context.Context, it Item, by int64) (int64, error) {
	r := toItemRow(it, by)
	r.ID = 0
	err := st.conn(ctx).Create(&r).Error
	if storage.IsDuplicate(err) {
		return 0, apperr.New(apperr.Conflict, "该事项刚被他人修改，请刷新后重试", "the item was changed at the same time; reload and retry").WithCode("item_changed")
	}
	return r.ID, storage.Translate(err)
}

func (st store) setItemState(ctx context.Context, id int64, state ItemState) error {
	return storage.Translate(st.conn(ctx).Model(&itemRow{}).Where("id = ?", id).Update("state", string(state)).Error)
}

// currentItems returns the newest version of every item whose name or code
// contains q (all when q is empty), active ones only unless all is set,
// ordered by code.
func (st store) currentItems(ctx context.Context, q string, all bool) ([]Item, error) {
	sub := st.conn(ctx).Model(&itemRow{}).Select("code, MAX(version) AS version").Group("code")
	db := st.conn(ctx).Table("approval_items AS i").Select("i.*").
		Joins("JOIN (?) AS m ON m.code = i.code AND m.version = i.version", sub)
	if q != "" {
		like := "%" + q + "%"
		db = db.Where("i.name LIKE ? OR i.code LIKE ?", like, like)
	}
	if !all {
		db = db.Where("i.state = ?", string(ItemActive))
	}
	var rows []itemRow
	if err := db.Order("i.code").Find(&rows).Error; err != nil {
		return nil, storage.Translate(err)
	}
	out := make([]Item, 0, len(rows))
	for _, r := range rows {
		it, err := r.item()
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// requireDepartment checks that org is a government department, the only
// kind of organisation that decides approvals.
func (st store) requireDepartment(ctx context.Context, org int64) error {
	var kinds []string
	if err := st.conn(ctx).Raw("SELECT kind FROM organizations WHERE id = ?", org).Scan(&kinds).Error; err != nil {
		return storage.Translate(err)
	}
	if len(kinds) != 1 || kinds[0] != "department" {
		return apperr.Newf(apperr.Invalid, "单位 %d 不是政府部门，不能作为审批部门", "organisation %d is not a government department", org).
			WithField("departmentOrgId", "must be a department (kind department)").WithCode("not_a_department")
	}
	return nil
}
