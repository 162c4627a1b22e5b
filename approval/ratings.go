package approval

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// Ratings (一件一评) and what a bad one sets off (DESIGN.md §5, Approval):
// a call-back (回访) within CallbackWorkdays and a rectification (整改)
// within RectifyWorkdays, each a task tracked to closure.
const (
	CallbackWorkdays = 1
	RectifyWorkdays  = 15
	// BadRatingMax is the highest level that counts as bad: 2 不满意 and
	// 1 非常不满意.
	BadRatingMax = 2
)

// The rating events.
const (
	EventCaseRated  = "approval.case_rated"
	EventTaskOpened = "approval.task_opened"
	EventTaskClosed = "approval.task_closed"
)

// The rating channels.
const (
	ChannelWeb = "web" // the applicant, signed in
	ChannelSMS = "sms" // the applicant's SMS reply
	ChannelPad = "pad" // the rating pad at the window (电子评价器), signed in as its officer
)

// The task kinds a bad rating opens.
const (
	TaskCallback      = "callback"      // 回访
	TaskRectification = "rectification" // 整改
)

// RatingLevels names the five levels, 5 best.
var RatingLevels = map[int]string{5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}

// RatingInput is one rating of a finished case.
type RatingInput struct {
	Level   int    `json:"level"` // 1..5
	Comment string `json:"comment,omitempty"`
	Channel string `json:"channel,omitempty"` // web (default), sms, pad
}

// Rating is a case's rating.
type Rating struct {
	CaseID    int64     `json:"caseId"`
	Level     int       `json:"level"`
	LevelName string    `json:"levelName"`
	Comment   string    `json:"comment"`
	Channel   string    `json:"channel"`
	CreatedAt time.Time `json:"createdAt"`
	Tasks     []Task    `json:"tasks"` // opened by a bad rating
}

type ratingRow struct {
	CaseID          int64     `gorm:"column:case_id;primaryKey"`
	Level           int       `gorm:"column:level"`
	Comment         string    `gorm:"column:comment"`
	Channel         string    `gorm:"column:channel"`
	DepartmentOrgID int64     `gorm:"column:department_org_id"`
	OfficerUserID   int64     `gorm:"column:officer_user_id"`
	WindowName      string    `gorm:"column:window_name"`
	CreatedAt       time.Time `gorm:"column:created_at"`
}

// TableName maps ratingRow to approval_ratings.
func (ratingRow) TableName() string { return "approval_ratings" }

// Rate records the one rating of finished case caseID, with an
// approval.case_rated event; a bad rating (level ≤ BadRatingMax) opens a
// call-back and a rectification task for the case's department in the
// same transaction. The applicant rates on the web or by SMS; an officer
// of the case's department only through the window's pad. Errors:
// NotFound; Forbidden (not_your_case, pad_only); Invalid (bad_level,
// bad_channel, comment too long); Conflict (wrong_state before 办结,
// already_rated).
func (s *Service) Rate(ctx context.Context, actor accounts.Principal, caseID int64, in RatingInput) (Rating, error) {
	if err := checkRating(&in); err != nil {
		return Rating{}, err
	}
	var out Rating
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.rater(ctx, actor, caseID, in.Channel)
		if err != nil {
			return err
		}
		if CaseState(r.State) != CaseFinished {
			return stateError(r, "只有已办结的办件可以评价", "only a finished case can be rated")
		}
		var n int64
		if err := s.st.conn(ctx).Model(&ratingRow{}).Where("case_id = ?", r.ID).Count(&n).Error; err != nil {
			return storage.Translate(err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "该办件已经评价过，每件只评一次", "the case is rated already: one rating per case").WithCode("already_rated")
		}
		it, err := s.st.itemByID(ctx, r.ItemID)
		if err != nil {
			return err
		}
		now := s.now()
		row := ratingRow{CaseID: r.ID, Level: in.Level, Comment: in.Comment, Channel: in.Channel, DepartmentOrgID: r.DepartmentOrgID,
			OfficerUserID: r.OfficerUserID, WindowName: it.WindowName, CreatedAt: now}
		if err := storage.Translate(s.st.conn(ctx).Create(&row).Error); err != nil {
			return err
		}
		if err := s.append(ctx, EventCaseRated, caseSubject(r.ID), actor, map[string]any{"level": in.Level,
			"channel": in.Channel, "departmentOrgId": r.DepartmentOrgID, "officerUserId": r.OfficerUserID}); err != nil {
			return err
		}
		out = row.view()
		if in.Level <= BadRatingMax {
			out.Tasks, err = s.openFollowUps(ctx, actor, r, now)
		}
		return err
	})
	return out, err
}

// rater loads and locks the case for a rating on channel.
func (s *Service) rater(ctx context.Context, actor accounts.Principal, caseID int64, channel string) (caseRow, error) {
	if channel != ChannelPad {
		return s.forApplicant(ctx, actor, caseID)
	}
	r, err := s.readable(ctx, actor, caseID, true)
	if err != nil {
		return caseRow{}, err
	}
	if !actor.Has(accounts.RoleOfficer) || actor.OrgID != r.DepartmentOrgID {
		return caseRow{}, apperr.New(apperr.Forbidden, "评价器只能由本部门窗口使用", "the rating pad belongs to a window of the case's department").WithCode("pad_only")
	}
	return r, nil
}

func checkRating(in *RatingInput) error {
	if in.Channel == "" {
		in.Channel = ChannelWeb
	}
	in.Comment = strings.TrimSpace(in.Comment)
	switch {
	case RatingLevels[in.Level] == "":
		return apperr.New(apperr.Invalid, "评价等级应为1（非常不满意）到5（非常满意）", "the level must be 1 (very dissatisfied) to 5 (very satisfied)").
			WithField("level", "1..5").WithCode("bad_level")
	case in.Channel != ChannelWeb && in.Channel != ChannelSMS && in.Channel != ChannelPad:
		return apperr.New(apperr.Invalid, "评价渠道应为 web、sms 或 pad", "the channel must be web, sms or pad").
			WithField("channel", "web, sms or pad").WithCode("bad_channel")
	case utf8.RuneCountInString(in.Comment) > 500:
		return apperr.New(apperr.Invalid, "评价意见不能超过500字", "the comment may be at most 500 characters").
			WithField("comment", "at most 500 characters").WithCode("comment_too_long")
	}
	return nil
}

func (r ratingRow) view() Rating {
	return Rating{CaseID: r.CaseID, Level: r.Level, LevelName: RatingLevels[r.Level], Comment: r.Comment, Channel: r.Channel,
		CreatedAt: r.CreatedAt.UTC(), Tasks: []Task{}}
}

// RatingOf returns case caseID's rating. Errors: NotFound (no rating yet,
// or a case actor may not read).
func (s *Service) RatingOf(ctx context.Context, actor accounts.Principal, caseID int64) (Rating, error) {
	if _, err := s.readable(ctx, actor, caseID, false); err != nil {
		return Rating{}, err
	}
	var row ratingRow
	if err := s.st.conn(ctx).First(&row, "case_id = ?", caseID).Error; err != nil {
		return Rating{}, notFound(err, "该办件尚未评价", "the case has no rating yet")
	}
	out := row.view()
	tasks, err := s.st.tasks(ctx, "case_id = ?", caseID)
	for _, t := range tasks {
		out.Tasks = append(out.Tasks, t.view())
	}
	return out, err
}
