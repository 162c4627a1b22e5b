// Package experts keeps the evaluation expert pool (专家库) and runs the
// verifiable random draw of an evaluation committee (DESIGN.md §5 "Experts
// and evaluation", issue 6): the pool with its bulk import, avoidance
// (回避) applied as data with the reason for every exclusion kept, draw
// request validation, and the draw itself, committed in the event log
// before it happens and reproducible by `tenderhall verify draw` (DRAW.md).
package experts

import "time"

// Category tells technical experts from economic ones.
type Category string

// The expert categories.
const (
	Technical Category = "technical" // 技术
	Economic  Category = "economic"  // 经济
)

func (c Category) valid() bool { return c == Technical || c == Economic }

// Status is whether an expert may be drawn.
type Status string

// The expert statuses. A suspension ends at SuspendedUntil by itself.
const (
	Active      Status = "active"
	Suspended   Status = "suspended"
	Blacklisted Status = "blacklisted"
)

// Expert is one member of the pool as stored. IDNumber and Phones hold
// values sealed with the platform field key; IDMask and PhoneMask are what
// any reader is shown.
type Expert struct {
	ID              int64      `json:"id" gorm:"column:id;primaryKey"`
	IDHash          string     `json:"-" gorm:"column:id_hash"`
	Name            string     `json:"name" gorm:"column:name"`
	IDNumber        string     `json:"-" gorm:"column:id_number"`
	IDMask          string     `json:"idNumber" gorm:"column:id_mask"`
	Phones          string     `json:"-" gorm:"column:phones"`
	PhoneMask       string     `json:"phones" gorm:"column:phone_mask"`
	EmployerUSCC    string     `json:"employerUscc" gorm:"column:employer_uscc"`
	EmployerName    string     `json:"employerName" gorm:"column:employer_name"`
	Region          string     `json:"region" gorm:"column:region"`
	Title           string     `json:"title" gorm:"column:title"`
	Level           string     `json:"level" gorm:"column:level"`
	Category        Category   `json:"category" gorm:"column:category"`
	Specialties     []string   `json:"specialties" gorm:"column:specialties;serializer:json"`
	Status          Status     `json:"status" gorm:"column:status"`
	SuspendedUntil  *time.Time `json:"suspendedUntil,omitempty" gorm:"column:suspended_until"`
	BlacklistReason *string    `json:"blacklistReason,omitempty" gorm:"column:blacklist_reason"`
	UserID          *int64     `json:"userId,omitempty" gorm:"column:user_id"` // the platform account (role expert) used in the evaluation room
	CreatedAt       time.Time  `json:"createdAt" gorm:"column:created_at"`
	UpdatedAt       time.Time  `json:"updatedAt" gorm:"column:updated_at"`
}

// TableName maps Expert to its table.
func (Expert) TableName() string { return "experts" }

// Employment is one past or present employer of an expert; Until is nil
// for the current one.
type Employment struct {
	ID           int64      `json:"id" gorm:"column:id;primaryKey"`
	ExpertID     int64      `json:"-" gorm:"column:expert_id"`
	EmployerUSCC string     `json:"employerUscc" gorm:"column:employer_uscc"`
	EmployerName string     `json:"employerName" gorm:"column:employer_name"`
	From         time.Time  `json:"from" gorm:"column:from_date"`
	Until        *time.Time `json:"until,omitempty" gorm:"column:until_date"`
}

// TableName maps Employment to its table.
func (Employment) TableName() string { return "expert_employments" }

// Leave is a period in which an expert is not available.
type Leave struct {
	ID       int64     `json:"id" gorm:"column:id;primaryKey"`
	ExpertID int64     `json:"-" gorm:"column:expert_id"`
	From     time.Time `json:"from" gorm:"column:from_at"`
	Until    time.Time `json:"until" gorm:"column:until_at"`
	Reason   string    `json:"reason" gorm:"column:reason"`
}

// TableName maps Leave to its table.
func (Leave) TableName() string { return "expert_leaves" }

// historyRow records that an expert was drawn (member or reserve).
type historyRow struct {
	ID         int64     `gorm:"column:id;primaryKey"`
	ExpertID   int64     `gorm:"column:expert_id"`
	ProjectTag string    `gorm:"column:project_tag"`
	DrawnAt    time.Time `gorm:"column:drawn_at"`
}

// TableName maps historyRow to its table.
func (historyRow) TableName() string { return "expert_draw_history" }

// ExpertView is an expert with the employment history and leaves, masked.
type ExpertView struct {
	Expert
	Employments []Employment `json:"employments"`
	Leaves      []Leave      `json:"leaves"`
}
