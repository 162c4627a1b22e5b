package bidding

import (
	"context"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/storage"
)

// TaskExpireUploads removes abandoned uploads and their parts.
const TaskExpireUploads = "bidding:expire-uploads"

// ExpireInterval is how often RegisterUploads schedules the expiry.
const ExpireInterval = 15 * time.Minute

// orphanGrace is how old (by the blob store's clock) an object under
// uploads/ without an upload row must be before the expiry removes it.
var orphanGrace = time.Hour

// UploadHandlers returns the upload job handlers by task type.
func (s *Service) UploadHandlers() map[string]jobs.Handler {
	return map[string]jobs.Handler{TaskExpireUploads: func(ctx context.Context, _ jobs.Task) error {
		_, err := s.ExpireUploads(ctx)
		return err
	}}
}

// RegisterUploads installs the upload handlers on q and schedules the
// expiry every ExpireInterval. Call before q.Run.
func (s *Service) RegisterUploads(q jobs.Queue) {
	for typ, h := range s.UploadHandlers() {
		q.Handle(typ, h)
	}
	q.Every("bidding-expire-uploads", ExpireInterval, jobs.Task{Type: TaskExpireUploads})
}

// ExpireUploads ends every upload that can no longer become a bid — its
// section stopped accepting bids (a bid not completely uploaded before the
// deadline is treated as withdrawn), or it was untouched for UploadTTL —
// and removes its parts, including objects a crash left without a row. It
// also finishes removing the parts of uploads already done. It returns how
// many uploads it expired. Errors are those of storage and Blobs.
func (s *Service) ExpireUploads(ctx context.Context) (int, error) {
	blobs, err := s.blobs()
	if err != nil {
		return 0, err
	}
	var live []Upload
	if err := s.db.Conn(ctx).Where("status IN ?", []UploadStatus{UploadOpen, UploadFinalizing}).Order("created_at").Find(&live).Error; err != nil {
		return 0, storage.Translate(err)
	}
	now := s.now()
	sections := map[int64]Section{}
	n := 0
	for _, u := range live {
		sec, ok := sections[u.SectionID]
		if !ok {
			if sec, err = s.st.section(ctx, u.SectionID, false); err != nil {
				return n, err
			}
			sections[u.SectionID] = sec
		}
		if sec.AcceptsBidsAt(now) && now.Sub(u.UpdatedAt) < UploadTTL {
			continue
		}
		if s.setUploadStatus(ctx, u.ID, u.Status, UploadExpired) != nil {
			continue // a request moved it meanwhile; the next run looks again
		}
		if err := s.removeParts(ctx, blobs, u.ID); err != nil {
			return n, err
		}
		n++
	}
	// Leftovers: parts of ended uploads whose removal failed, and objects
	// of uploads with no live session.
	objs, err := blobs.List(ctx, "uploads/")
	if err != nil {
		return n, err
	}
	seen := map[string]bool{}
	for _, o := range objs {
		id, _, _ := strings.Cut(strings.TrimPrefix(o.Key, "uploads/"), "/")
		if seen[id] {
			continue
		}
		seen[id] = true
		var us []Upload
		if err := s.db.Conn(ctx).Where("id = ?", id).Limit(1).Find(&us).Error; err != nil {
			return n, storage.Translate(err)
		}
		if len(us) == 1 && (us[0].Status == UploadOpen || us[0].Status == UploadFinalizing) {
			continue
		}
		if len(us) == 0 && time.Since(o.ModTime) < orphanGrace {
			continue // its upload row may be about to commit
		}
		if err := s.removeParts(ctx, blobs, id); err != nil {
			return n, err
		}
	}
	return n, nil
}

// removeParts deletes every object under the upload's prefix, then its part rows.
func (s *Service) removeParts(ctx context.Context, blobs storage.Blobs, id string) error {
	objs, err := blobs.List(ctx, "uploads/"+id+"/")
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := blobs.Delete(ctx, o.Key); err != nil {
			return err
		}
	}
	return storage.Translate(s.db.Conn(ctx).Where("upload_id = ?", id).Delete(&uploadPart{}).Error)
}
