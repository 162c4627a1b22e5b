package video

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/jobs"
)

// GapThreshold is the longest a camera may send nothing before the time
// without video counts as a coverage gap.
const GapThreshold = 10 * time.Second

// Gap is an interval without video from one camera. To is nil while the
// camera is still silent (offline); To equal to From means it was silent
// live but its recorder later delivered the whole interval (spooled
// through an outage), so no recording is missing.
type Gap struct {
	ID       int64      `json:"id" gorm:"column:id;primaryKey"`
	CameraID int64      `json:"cameraId" gorm:"column:camera_id"`
	From     time.Time  `json:"from" gorm:"column:from_at"`
	To       *time.Time `json:"to" gorm:"column:to_at"`
	EventSeq int64      `json:"eventSeq" gorm:"column:event_seq"`
}

// TableName maps Gap to video_gaps.
func (Gap) TableName() string { return "video_gaps" }

// TaskCoverage is the job that looks for coverage gaps.
const TaskCoverage = "video:coverage"

// Register schedules the coverage sweep every few seconds.
func (s *Service) Register(q jobs.Queue) {
	q.Handle(TaskCoverage, func(ctx context.Context, _ jobs.Task) error { return s.CheckCoverage(ctx) })
	q.Every("video-coverage", 5*time.Second, jobs.Task{Type: TaskCoverage, MaxRetry: -1})
}

// CheckCoverage looks at every camera's segments logged since its last
// check and records each gap longer than GapThreshold — between two
// segments, or since the last one when the camera has gone silent — with
// one video.coverage_gap event (video.camera_offline while it is still
// open, closed by a video.coverage_gap when video resumes). Running it
// twice records nothing twice. Errors: those of storage.
func (s *Service) CheckCoverage(ctx context.Context) error {
	cams, err := s.st.cameras(ctx)
	if err != nil {
		return err
	}
	for _, c := range cams {
		if err := s.db.InTx(ctx, func(ctx context.Context) error { return s.checkCamera(ctx, c.ID) }); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) checkCamera(ctx context.Context, id int64) error {
	c, err := s.st.camera(ctx, id, true) // re-read under the lock: a second sweep sees the first one's cursor
	if err != nil || c.LastSegmentAt == nil {
		return err
	}
	cov, err := s.st.coverage(ctx, id)
	if err != nil {
		return err
	}
	segs, err := s.st.segmentsAfter(ctx, id, cov.until)
	if err != nil {
		return err
	}
	end := cov.until
	for _, sg := range segs {
		if !end.IsZero() && sg.StartAt.Sub(end) > GapThreshold {
			if err := s.closeGap(ctx, c, cov.offline, end, *sg.StartAt); err != nil {
				return err
			}
			cov.offline = nil
		}
		if e := sg.StartAt.Add(time.Duration(*sg.DurationMS) * time.Millisecond); e.After(end) {
			end = e
		}
	}
	now := s.clock.Now().UTC()
	if cov.offline != nil && end.After(*cov.offline) {
		// Video resumed without a gap: it was late, not missing.
		if err := s.closeLate(ctx, c, *cov.offline, now); err != nil {
			return err
		}
		cov.offline = nil
	}
	if cov.offline == nil && !end.IsZero() && now.Sub(end) > GapThreshold {
		if err := s.openGap(ctx, c, end); err != nil {
			return err
		}
		cov.offline = &end
	}
	return s.st.setCoverage(ctx, id, end, cov.offline)
}

// openGap records that camera c has sent nothing since from.
func (s *Service) openGap(ctx context.Context, c Camera, from time.Time) error {
	ev, err := s.events.Append(ctx, eventlog.Entry{Type: "video.camera_offline", Subject: c.subject(), Actor: "system",
		Payload: map[string]any{"room": c.Room, "camera": c.Name, "cameraId": c.ID, "evalRoomId": c.EvalRoomID, "from": from.UnixMilli()}})
	if err != nil {
		return err
	}
	return s.st.insertGap(ctx, Gap{CameraID: c.ID, From: from, EventSeq: ev.Seq})
}

// closeGap records the gap [from, to), closing the open one when the
// camera was offline since from.
func (s *Service) closeGap(ctx context.Context, c Camera, offline *time.Time, from, to time.Time) error {
	ev, err := s.events.Append(ctx, eventlog.Entry{Type: "video.coverage_gap", Subject: c.subject(), Actor: "system",
		Payload: map[string]any{"room": c.Room, "camera": c.Name, "cameraId": c.ID, "evalRoomId": c.EvalRoomID, "from": from.UnixMilli(), "to": to.UnixMilli(),
			"seconds": to.Sub(from).Seconds()}})
	if err != nil {
		return err
	}
	if offline != nil && offline.Equal(from) {
		return s.st.closeGap(ctx, c.ID, from, to, ev.Seq)
	}
	return s.st.insertGap(ctx, Gap{CameraID: c.ID, From: from, To: &to, EventSeq: ev.Seq})
}

// closeLate closes the open gap since from as delivered late at now.
func (s *Service) closeLate(ctx context.Context, c Camera, from, now time.Time) error {
	ev, err := s.events.Append(ctx, eventlog.Entry{Type: "video.camera_resumed", Subject: c.subject(), Actor: "system",
		Payload: map[string]any{"room": c.Room, "camera": c.Name, "cameraId": c.ID, "evalRoomId": c.EvalRoomID, "from": from.UnixMilli(),
			"deliveredAt": now.UnixMilli(), "missingSeconds": 0}})
	if err != nil {
		return err
	}
	return s.st.closeGap(ctx, c.ID, from, from, ev.Seq)
}

// Gaps lists camera id's coverage gaps overlapping [from, to), oldest
// first. Errors: Forbidden (not a supervisor or administrator), NotFound,
// those of storage.
func (s *Service) Gaps(ctx context.Context, p accounts.Principal, id int64, from, to time.Time) ([]Gap, error) {
	if !p.Has(accounts.RoleSupervisor) && !p.Has(accounts.RoleAdmin) {
		return nil, apperr.New(apperr.Forbidden, "只有监督人员和管理员可以查看录像缺失", "only supervisors and administrators see coverage gaps")
	}
	if _, err := s.st.camera(ctx, id, false); err != nil {
		return nil, err
	}
	return s.st.gaps(ctx, id, from, to)
}
