package video

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
)

// BenchmarkJumpPlaylist builds the playlist around a moment from a camera
// holding a whole day of 2 s segments (43,200), against a baseline that
// only selects the same rows by the same index (see BENCHMARKS.md).
func BenchmarkJumpPlaylist(b *testing.B) {
	for _, be := range dbtest.Backends() {
		b.Run(string(be), func(b *testing.B) {
			day := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
			e := newEnv(b, be, clock.NewFake(day))
			ctx := context.Background()
			cam := e.camera(b, "开标一室").Camera
			const n = 43200
			rows := make([]Segment, 0, 1000)
			for i := 0; i < n; i++ {
				seq, start, dur := int64(i), day.Add(time.Duration(2*i)*time.Second), int64(2000)
				rows = append(rows, Segment{CameraID: cam.ID, File: fmt.Sprintf("s%d.ts", i), BlobKey: fmt.Sprintf("video/x/s%d.ts", i),
					SM3: "00", Size: 500000, ReceivedAt: start, Seq: &seq, StartAt: &start, DurationMS: &dur, LoggedSeq: &seq})
				if len(rows) == cap(rows) || i == n-1 {
					if err := e.db.Conn(ctx).CreateInBatches(rows, 200).Error; err != nil {
						b.Fatal(err)
					}
					rows = rows[:0]
				}
			}
			super := accounts.Principal{UserID: 3, Roles: []accounts.Role{accounts.RoleSupervisor}}
			at := day.Add(15*time.Hour + 7*time.Minute)
			b.Run("baseline-select", func(b *testing.B) {
				for b.Loop() {
					var out []Segment
					if err := e.db.Conn(ctx).Where("camera_id = ? AND seq IS NOT NULL AND start_at < ? AND start_at >= ?",
						cam.ID, at.Add(2*time.Minute), at.Add(-2*time.Minute)).Order("seq").Find(&out).Error; err != nil || len(out) == 0 {
						b.Fatal(err)
					}
				}
			})
			b.Run("window-playlist", func(b *testing.B) {
				for b.Loop() {
					w, err := e.svc.WindowAround(ctx, super, cam.ID, at, time.Minute, 2*time.Minute)
					if err != nil || w.OffsetMS < 0 {
						b.Fatal(err)
					}
					w.Playlist(func(s Segment) string { return fmt.Sprint(*s.Seq) })
				}
			})
		})
	}
}
