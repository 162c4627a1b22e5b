package experts

import (
	"context"
	"strconv"
	"strings"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/storage"
)

// SecretEvents are the expert events that name who was drawn, called or
// seated before the section's result is final (eventlog.Secret). The
// draw's supervisor of record reads them before, as the draw routes show
// them the drawn list; nobody else does, the administrator included.
var SecretEvents = []eventlog.Secret{
	{Type: "experts.call_dialed", Release: eventlog.AtFinal, RecordSupervisor: true, Why: "which expert was called"},
	{Type: "experts.call_completed", Release: eventlog.AtFinal, RecordSupervisor: true, Why: "which expert answered, and how"},
	{Type: "experts.sms_sent", Release: eventlog.AtFinal, RecordSupervisor: true, Why: "which expert was confirmed by SMS"},
	{Type: "experts.sms_report", Release: eventlog.AtFinal, RecordSupervisor: true, Why: "the delivery of a confirmed expert's SMS"},
	{Type: "experts.attendance_cancelled", Release: eventlog.AtFinal, RecordSupervisor: true, Why: "which accepted expert cancelled"},
	{Type: "experts.attendance_withdrawn", Release: eventlog.AtFinal, RecordSupervisor: true, Why: "which seated expert withdrew"},
}

// DrawOwner is what decides who may read a draw's secret events: its
// section and its supervisor of record.
type DrawOwner struct {
	SectionID        int64
	SupervisorUserID int64 // 0 before the supervisor's public value
}

// DrawOwners returns the owner of each draw in ids that exists. Errors are
// those of storage.
func (s *Service) DrawOwners(ctx context.Context, ids []int64) (map[int64]DrawOwner, error) {
	out := map[int64]DrawOwner{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []drawRow
	if err := s.st.conn(ctx).Select("id", "section_id", "supervisor_user_id").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, storage.Translate(err)
	}
	for _, d := range rows {
		o := DrawOwner{SectionID: d.SectionID}
		if d.SupervisorUserID != nil {
			o.SupervisorUserID = *d.SupervisorUserID
		}
		out[d.ID] = o
	}
	return out, nil
}

// SMSDraws maps SMS message ids (the "sms:<id>" subjects of
// experts.sms_report, "sms-<invitation>") to their draws. Unknown ids are
// left out. Errors are those of storage.
func (s *Service) SMSDraws(ctx context.Context, messageIDs []string) (map[string]int64, error) {
	byInvitation := map[int64]string{}
	var inv []int64
	for _, m := range messageIDs {
		n, err := strconv.ParseInt(strings.TrimPrefix(m, "sms-"), 10, 64)
		if err == nil && strings.HasPrefix(m, "sms-") {
			byInvitation[n] = m
			inv = append(inv, n)
		}
	}
	out := map[string]int64{}
	if len(inv) == 0 {
		return out, nil
	}
	var rows []invitation
	if err := s.st.conn(ctx).Select("id", "draw_id").Where("id IN ?", inv).Find(&rows).Error; err != nil {
		return nil, storage.Translate(err)
	}
	for _, r := range rows {
		out[byInvitation[r.ID]] = r.DrawID
	}
	return out, nil
}
