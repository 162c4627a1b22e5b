package bidding

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// MaxDocumentSize is the largest tender document file accepted (200 MiB).
const MaxDocumentSize = 200 << 20

// Document is one tender document file of a section, as published: name,
// size, SM3 digest and time. Who downloaded it is never part of it.
type Document struct {
	ID          int64      `json:"id" gorm:"column:id;primaryKey"`
	SectionID   int64      `json:"sectionId" gorm:"column:section_id"`
	Name        string     `json:"name" gorm:"column:name"`
	ContentType string     `json:"contentType" gorm:"column:content_type"`
	Size        int64      `json:"size" gorm:"column:size"`
	SM3         string     `json:"sm3" gorm:"column:sm3"` // lower-case hex
	BlobKey     string     `json:"-" gorm:"column:blob_key"`
	UploadedBy  int64      `json:"-" gorm:"column:uploaded_by"`
	UploadedAt  time.Time  `json:"uploadedAt" gorm:"column:uploaded_at"`
	ReplacedBy  *int64     `json:"replacedBy,omitempty" gorm:"column:replaced_by"`
	ReplacedAt  *time.Time `json:"replacedAt,omitempty" gorm:"column:replaced_at"`
}

// TableName maps Document to its table.
func (Document) TableName() string { return "bid_documents" }

// docConfig is the service's tender-document configuration.
type docConfig struct {
	blobs atomic.Pointer[storage.Blobs]
}

// SetDocumentBlobs gives the service the blob store tender documents are
// kept in. Call it once at start-up, before serving; without it the
// document methods return apperr.Unavailable.
func (s *Service) SetDocumentBlobs(b storage.Blobs) { s.docs.blobs.Store(&b) }

func (s *Service) blobStore() (storage.Blobs, error) {
	if b := s.docs.blobs.Load(); b != nil && *b != nil {
		return *b, nil
	}
	return nil, apperr.New(apperr.Unavailable, "文件存储未启用", "the blob store is not configured").WithCode("no_blobs")
}

// DocumentUpload is one tender document file to store.
type DocumentUpload struct {
	Name        string    // file name as bidders will see it
	ContentType string    // optional media type
	Body        io.Reader // the bytes, streamed
	Size        int64     // exact length, or negative when unknown
}

// UploadDocument streams a tender document to the blob store under
// "docs/<section>/<random id>", computing its SM3 digest on the way, and
// publishes it (event "document.uploaded"). A document with the same name
// as a current one replaces it (event "document.replaced"; the old row and
// blob stay for the record). Documents can be added while the section is a
// draft or announced. Errors: apperr.Invalid for a bad name or a body that
// does not match its size; apperr.TooLarge over MaxDocumentSize;
// apperr.Forbidden unless the actor runs the project; apperr.NotFound for
// an unknown section; apperr.Conflict once bidding has closed;
// apperr.Unavailable without a blob store.
func (s *Service) UploadDocument(ctx context.Context, actor accounts.Principal, sectionID int64, in DocumentUpload) (Document, error) {
	blobs, err := s.blobStore()
	if err != nil {
		return Document{}, err
	}
	name, err := cleanDocName(in.Name)
	if err != nil {
		return Document{}, err
	}
	if in.Size > MaxDocumentSize {
		return Document{}, tooLargeDoc()
	}
	if err := s.checkDocumentWriter(ctx, actor, sectionID); err != nil {
		return Document{}, err
	}
	key := "docs/" + strconv.FormatInt(sectionID, 10) + "/" + randomID()
	h := notary.NewSM3()
	body := &limitedReader{r: io.TeeReader(in.Body, h), left: MaxDocumentSize + 1}
	info, err := blobs.Save(ctx, key, body, in.Size)
	if body.left <= 0 {
		_ = blobs.Delete(context.WithoutCancel(ctx), key)
		return Document{}, tooLargeDoc()
	}
	if err != nil {
		return Document{}, err
	}
	doc := Document{SectionID: sectionID, Name: name, ContentType: strings.TrimSpace(in.ContentType), Size: info.Size,
		SM3: hex.EncodeToString(h.Sum(nil)), BlobKey: key, UploadedBy: actor.UserID}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkDocumentWriter(ctx, actor, sectionID); err != nil {
			return err
		}
		doc.ID, doc.UploadedAt = 0, s.now()
		if err := s.st.insert(ctx, &doc); err != nil {
			return err
		}
		old, err := s.st.currentDocumentNamed(ctx, sectionID, name, doc.ID)
		if err != nil {
			return err
		}
		typ, payload := "document.uploaded", map[string]any{"documentId": doc.ID, "name": name, "size": doc.Size, "sm3": doc.SM3}
		for _, o := range old {
			o.ReplacedBy, o.ReplacedAt = &doc.ID, &doc.UploadedAt
			if err := s.st.save(ctx, &o); err != nil {
				return err
			}
			typ, payload["replaces"] = "document.replaced", o.ID
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: typ, Subject: sectionRef(sectionID), Actor: actor.Actor(), Payload: payload})
		return err
	})
	if err != nil {
		_ = blobs.Delete(context.WithoutCancel(ctx), key) // no orphan object
		return Document{}, err
	}
	return doc, nil
}

// checkDocumentWriter checks that actor runs the section's project and the
// section still takes documents (draft or announced).
func (s *Service) checkDocumentWriter(ctx context.Context, actor accounts.Principal, sectionID int64) error {
	sec, p, err := s.sectionAndProject(ctx, sectionID, storage.InTransaction(ctx))
	if err != nil {
		return err
	}
	if err := requireAgent(actor, p); err != nil {
		return err
	}
	if sec.State != StateDraft && sec.State != StateAnnounced {
		return apperr.New(apperr.Conflict, "标段状态为「"+stateNames[sec.State]+"」，不能再上传招标文件",
			"the section is "+string(sec.State)+" and takes no more documents").WithCode("documents_closed")
	}
	return nil
}

func tooLargeDoc() error {
	return apperr.Newf(apperr.TooLarge, "招标文件超过 %d MiB 上限", "a tender document may be at most %d MiB", MaxDocumentSize>>20)
}

// cleanDocName trims a file name, drops any directory part and refuses
// empty, overlong or control-character names (apperr.Invalid).
func cleanDocName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	bad := name == "" || name == "." || name == ".." || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 200
	for _, r := range name {
		bad = bad || unicode.IsControl(r)
	}
	if bad {
		return "", apperr.New(apperr.Invalid, "文件名必填，不超过 200 字，不含控制字符", "the file name is required, at most 200 characters, without control characters").WithField("name", "invalid")
	}
	return name, nil
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// limitedReader yields at most left-1 bytes and then fails, so a body over
// the limit ends the Save (which then keeps nothing) and left reaches 0.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, tooLargeDoc()
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left <= 0 {
		return n, tooLargeDoc()
	}
	return n, err
}
