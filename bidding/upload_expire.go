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
// and removes its tail, multipart upload and any bid object a crashed
// finalize published; then it removes leftovers that crashes left without
// a live upload. It returns how many uploads it expired. Errors are those
// of storage and Blobs.
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
		if (sec.AcceptsBidsAt(now) || awaitedByClose(u, sec)) && now.Sub(u.UpdatedAt) < UploadTTL {
			continue
		}
		if s.setUploadStatus(ctx, u.ID, u.Status, UploadExpired) != nil {
			continue // a request moved it meanwhile; the next run looks again
		}
		if err := s.removeUpload(ctx, blobs, u); err != nil {
			return n, err
		}
		n++
	}
	return n, s.removeLeftovers(ctx, blobs)
}

// awaitedByClose reports whether u is a finalize that arrived before its
// section's deadline and that the close is still waiting for.
func awaitedByClose(u Upload, sec Section) bool {
	return u.Status == UploadFinalizing && u.ArrivedAt != nil && sec.State == StateAnnounced &&
		sec.Deadline != nil && u.ArrivedAt.Before(*sec.Deadline)
}

// removeLeftovers removes objects under uploads/ and bids/ that belong to
// no live upload and no bid: the remains of crashes and failed clean-ups.
func (s *Service) removeLeftovers(ctx context.Context, blobs storage.Blobs) error {
	for _, prefix := range []string{"uploads/", "bids/"} {
		objs, err := blobs.List(ctx, prefix)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, o := range objs {
			id := uploadIDOf(o.Key)
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			var us []Upload
			if err := s.db.Conn(ctx).Where("id = ?", id).Limit(1).Find(&us).Error; err != nil {
				return storage.Translate(err)
			}
			switch {
			case len(us) == 0 && time.Since(o.ModTime) < orphanGrace:
				continue // its upload row may be about to commit
			case len(us) == 0:
				if err := blobs.Delete(ctx, o.Key); err != nil {
					return err
				}
			case us[0].Status == UploadOpen || us[0].Status == UploadFinalizing:
				continue
			case us[0].Status == UploadDone && prefix == "bids/":
				continue // the bid itself
			default:
				if err := s.removeUpload(ctx, blobs, us[0]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// uploadIDOf returns the upload id in uploads/<id>/… or bids/<sec>/<id>.the.
func uploadIDOf(key string) string {
	if rest, ok := strings.CutPrefix(key, "uploads/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		return id
	}
	if rest, ok := strings.CutPrefix(key, "bids/"); ok {
		_, file, _ := strings.Cut(rest, "/")
		return strings.TrimSuffix(file, ".the")
	}
	return ""
}

// removeUpload removes everything of an upload that did not become a bid.
func (s *Service) removeUpload(ctx context.Context, blobs storage.Blobs, u Upload) error {
	if u.Status == UploadDone {
		return s.removeParts(ctx, blobs, u)
	}
	if err := blobs.Delete(ctx, bidKey(u)); err != nil {
		return err
	}
	return s.removeParts(ctx, blobs, u)
}

// removeParts deletes the upload's tail objects, aborts its multipart
// upload and deletes its part rows; the bid object stays.
func (s *Service) removeParts(ctx context.Context, blobs storage.Blobs, u Upload) error {
	objs, err := blobs.List(ctx, "uploads/"+u.ID+"/")
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := blobs.Delete(ctx, o.Key); err != nil {
			return err
		}
	}
	if err := blobs.AbortMultipart(ctx, bidKey(u), ""); err != nil {
		return err
	}
	if u.Status == UploadDone {
		return nil // the finalize transaction removed the part rows
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		rows, err := s.partRows(ctx, u.ID)
		if err != nil {
			return err
		}
		return s.deletePartRows(ctx, rows)
	})
}
