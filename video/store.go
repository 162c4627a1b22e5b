package video

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// Segment is one uploaded segment file; Seq, Start and Duration are set
// once a playlist names it, LoggedSeq once its hash is in the event log.
type Segment struct {
	ID         int64      `json:"-" gorm:"column:id;primaryKey"`
	CameraID   int64      `json:"cameraId" gorm:"column:camera_id"`
	File       string     `json:"file" gorm:"column:file"`
	BlobKey    string     `json:"-" gorm:"column:blob_key"`
	SM3        string     `json:"sm3" gorm:"column:sm3"`
	Size       int64      `json:"size" gorm:"column:size"`
	ReceivedAt time.Time  `json:"receivedAt" gorm:"column:received_at"`
	Seq        *int64     `json:"seq" gorm:"column:seq"`
	StartAt    *time.Time `json:"start" gorm:"column:start_at"`
	DurationMS *int64     `json:"durationMs" gorm:"column:duration_ms"`
	LoggedSeq  *int64     `json:"loggedSeq" gorm:"column:logged_seq"`
}

// TableName maps Segment to video_segments.
func (Segment) TableName() string { return "video_segments" }

type store struct{ db *storage.DB }

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

func (st store) insertCamera(ctx context.Context, c *Camera) error {
	err := storage.Translate(st.conn(ctx).Create(c).Error)
	if apperr.Is(err, apperr.Conflict) {
		return apperr.Newf(apperr.Conflict, "房间 %s 已有名为 %s 的摄像机", "room %s already has a camera named %s", c.Room, c.Name).WithField("name", "taken")
	}
	return err
}

// camera reads one camera; forUpdate locks it to the end of the
// transaction (SQLite's transaction holds the write lock already).
func (st store) camera(ctx context.Context, id int64, forUpdate bool) (Camera, error) {
	var c Camera
	q := st.conn(ctx)
	if forUpdate && st.db.Dialect() == storage.MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := storage.Translate(q.First(&c, id).Error)
	if apperr.Is(err, apperr.NotFound) {
		return Camera{}, apperr.Wrap(err, apperr.NotFound, "摄像机不存在", "camera not found")
	}
	return c, err
}

func (st store) cameras(ctx context.Context) ([]Camera, error) {
	out := []Camera{}
	return out, storage.Translate(st.conn(ctx).Order("room, name").Find(&out).Error)
}

func (st store) saveToken(ctx context.Context, c Camera) error {
	return storage.Translate(st.conn(ctx).Model(&Camera{}).Where("id = ?", c.ID).
		Updates(map[string]any{"token_sm3": c.TokenSM3, "token_version": c.TokenVersion, "rotated_at": c.RotatedAt}).Error)
}

func (st store) touchCamera(ctx context.Context, id int64, at time.Time) error {
	return storage.Translate(st.conn(ctx).Model(&Camera{}).Where("id = ?", id).Update("last_segment_at", at).Error)
}

// segmentFile returns the upload of file by camera, NotFound when none.
func (st store) segmentFile(ctx context.Context, camera int64, file string) (Segment, error) {
	var s Segment
	err := storage.Translate(st.conn(ctx).Where("camera_id = ? AND file = ?", camera, file).First(&s).Error)
	return s, err
}

// segmentFiles returns the uploads of files by camera, keyed by file.
func (st store) segmentFiles(ctx context.Context, camera int64, files []string) (map[string]Segment, error) {
	var rows []Segment
	if err := st.conn(ctx).Where("camera_id = ? AND file IN ?", camera, files).Find(&rows).Error; err != nil {
		return nil, storage.Translate(err)
	}
	out := make(map[string]Segment, len(rows))
	for _, r := range rows {
		out[r.File] = r
	}
	return out, nil
}

// upsertUpload records an upload not yet named by a playlist, replacing an
// earlier unindexed upload of the same file.
func (st store) upsertUpload(ctx context.Context, s Segment) error {
	res := st.conn(ctx).Model(&Segment{}).Where("camera_id = ? AND file = ? AND seq IS NULL", s.CameraID, s.File).
		Updates(map[string]any{"blob_key": s.BlobKey, "sm3": s.SM3, "size": s.Size, "received_at": s.ReceivedAt})
	if res.Error != nil || res.RowsAffected > 0 {
		return storage.Translate(res.Error)
	}
	return storage.Translate(st.conn(ctx).Create(&s).Error)
}

// maxSeq is the highest sequence number indexed for camera, -1 when none.
func (st store) maxSeq(ctx context.Context, camera int64) (int64, error) {
	var m *int64
	if err := st.conn(ctx).Raw("SELECT MAX(seq) FROM video_segments WHERE camera_id = ?", camera).Scan(&m).Error; err != nil {
		return 0, storage.Translate(err)
	}
	if m == nil {
		return -1, nil
	}
	return *m, nil
}

// index records where an upload sits in the camera's recording; only an
// upload not indexed yet is changed (reported by the bool).
func (st store) index(ctx context.Context, id, seq int64, start time.Time, durMS, logged int64) (bool, error) {
	res := st.conn(ctx).Model(&Segment{}).Where("id = ? AND seq IS NULL", id).
		Updates(map[string]any{"seq": seq, "start_at": start, "duration_ms": durMS, "logged_seq": logged})
	return res.RowsAffected == 1, storage.Translate(res.Error)
}

// segmentsBetween returns the indexed segments of camera overlapping
// [from, to), in sequence order.
func (st store) segmentsBetween(ctx context.Context, camera int64, from, to time.Time) ([]Segment, error) {
	out := []Segment{}
	err := st.conn(ctx).Where("camera_id = ? AND seq IS NOT NULL AND start_at < ? AND start_at >= ?",
		camera, to, from.Add(-maxSegmentSeconds*time.Second)).Order("seq").Find(&out).Error
	if err != nil {
		return nil, storage.Translate(err)
	}
	kept := out[:0]
	for _, s := range out {
		if s.StartAt.Add(time.Duration(*s.DurationMS) * time.Millisecond).After(from) {
			kept = append(kept, s)
		}
	}
	return kept, nil
}

func (st store) keepPlaylist(ctx context.Context, id int64, raw []byte) error {
	return storage.Translate(st.conn(ctx).Model(&Camera{}).Where("id = ?", id).Update("last_playlist", string(raw)).Error)
}

func (st store) lastPlaylist(ctx context.Context, id int64) ([]byte, error) {
	var p []string
	if err := st.conn(ctx).Raw("SELECT COALESCE(last_playlist, '') FROM video_cameras WHERE id = ?", id).Scan(&p).Error; err != nil {
		return nil, storage.Translate(err)
	}
	if len(p) == 0 || p[0] == "" {
		return nil, nil
	}
	return []byte(p[0]), nil
}

// segmentSeq returns camera's indexed segment seq, NotFound when none.
func (st store) segmentSeq(ctx context.Context, camera, seq int64) (Segment, error) {
	var s Segment
	err := storage.Translate(st.conn(ctx).Where("camera_id = ? AND seq = ?", camera, seq).First(&s).Error)
	if apperr.Is(err, apperr.NotFound) {
		return Segment{}, apperr.Wrap(err, apperr.NotFound, "录像分段不存在", "no such recorded segment")
	}
	return s, err
}

type coverage struct {
	until   time.Time
	offline *time.Time
}

func (st store) coverage(ctx context.Context, id int64) (coverage, error) {
	var rows []struct {
		Until   *time.Time `gorm:"column:coverage_until"`
		Offline *time.Time `gorm:"column:offline_since"`
	}
	if err := st.conn(ctx).Raw("SELECT coverage_until, offline_since FROM video_cameras WHERE id = ?", id).Scan(&rows).Error; err != nil {
		return coverage{}, storage.Translate(err)
	}
	var c coverage
	if len(rows) == 1 {
		if rows[0].Until != nil {
			c.until = rows[0].Until.UTC()
		}
		c.offline = rows[0].Offline
	}
	return c, nil
}

func (st store) setCoverage(ctx context.Context, id int64, until time.Time, offline *time.Time) error {
	return storage.Translate(st.conn(ctx).Model(&Camera{}).Where("id = ?", id).
		Updates(map[string]any{"coverage_until": until, "offline_since": offline}).Error)
}

// segmentsAfter returns camera's indexed segments starting at or after t
// (all when t is zero), in sequence order.
func (st store) segmentsAfter(ctx context.Context, camera int64, t time.Time) ([]Segment, error) {
	var out []Segment
	q := st.conn(ctx).Where("camera_id = ? AND seq IS NOT NULL", camera)
	if !t.IsZero() {
		q = q.Where("start_at >= ?", t.Add(-maxSegmentSeconds*time.Second))
	}
	return out, storage.Translate(q.Order("seq").Find(&out).Error)
}

func (st store) insertGap(ctx context.Context, g Gap) error {
	return storage.Translate(st.conn(ctx).Create(&g).Error)
}

func (st store) closeGap(ctx context.Context, camera int64, from, to time.Time, seq int64) error {
	return storage.Translate(st.conn(ctx).Model(&Gap{}).Where("camera_id = ? AND from_at = ? AND to_at IS NULL", camera, from).
		Updates(map[string]any{"to_at": to, "event_seq": seq}).Error)
}

func (st store) gaps(ctx context.Context, camera int64, from, to time.Time) ([]Gap, error) {
	out := []Gap{}
	err := st.conn(ctx).Where("camera_id = ? AND from_at < ? AND (to_at IS NULL OR to_at > ?)", camera, to, from).
		Order("from_at").Find(&out).Error
	return out, storage.Translate(err)
}
