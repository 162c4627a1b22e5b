package supervision

import (
	"context"
	"fmt"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// videoCoverage keeps which section each evaluation room is evaluating
// (from evaluation.started to evaluation.report_final) and raises
// RuleVideoGap on that section when the room's camera goes silent or a
// gap is found while it is. The offline event and the gap that closes it
// share one dedupe key, so one silence is one warning.
func (s *Service) videoCoverage(ctx context.Context, ev eventlog.Event) error {
	var p struct {
		SectionID  int64  `json:"sectionId"`
		RoomID     int64  `json:"roomId"`
		EvalRoomID int64  `json:"evalRoomId"`
		CameraID   int64  `json:"cameraId"`
		Camera     string `json:"camera"`
		Room       string `json:"room"`
		From       int64  `json:"from"`
		To         *int64 `json:"to"`
	}
	if !jsonInto(ev.Payload, &p) {
		return nil
	}
	switch ev.Type {
	case "evaluation.started":
		if p.RoomID == 0 {
			return nil
		}
		if err := s.st.setCount(ctx, roomRef(p.RoomID), RuleVideoGap, "section", int(p.SectionID)); err != nil {
			return err
		}
		// The section remembers its room, to free it at the report.
		return s.st.setCount(ctx, sectionRef(p.SectionID), RuleVideoGap, "room", int(p.RoomID))
	case "evaluation.report_final":
		room, err := s.st.count(ctx, sectionRef(p.SectionID), RuleVideoGap, "room")
		if err != nil || room == 0 {
			return err
		}
		if cur, err := s.st.count(ctx, roomRef(int64(room)), RuleVideoGap, "section"); err != nil || int64(cur) != p.SectionID {
			return err // the room has moved on to another section
		}
		return s.st.setCount(ctx, roomRef(int64(room)), RuleVideoGap, "section", 0)
	}
	if p.EvalRoomID == 0 {
		return nil
	}
	sec, err := s.st.count(ctx, roomRef(p.EvalRoomID), RuleVideoGap, "section")
	if err != nil || sec == 0 {
		return err
	}
	from := time.UnixMilli(p.From).In(clock.Shanghai).Format("15:04:05")
	until, untilEn := "至今", "still silent"
	if p.To != nil {
		t := time.UnixMilli(*p.To).In(clock.Shanghai).Format("15:04:05")
		until, untilEn = "至 "+t, "to "+t
	}
	return s.breach(ctx, ev, sectionRef(int64(sec)), RuleVideoGap, fmt.Sprintf("camera:%d:%d", p.CameraID, p.From),
		fmt.Sprintf("%s 摄像机 %s 自 %s %s 无录像", p.Room, p.Camera, from, until),
		fmt.Sprintf("%s camera %s: no video from %s %s", p.Room, p.Camera, from, untilEn))
}

func roomRef(id int64) string { return "evalroom:" + itoa(id) }
