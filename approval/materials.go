package approval

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// MaterialUpload is one file an applicant gives for a material.
type MaterialUpload struct {
	Material string    // the item's material key
	FileName string    // shown to the officer
	Size     int64     // exact size, or -1 when unknown
	Body     io.Reader // streamed to the blob store, never held whole
}

// PutMaterial streams a material's file to the blob store under
// "approval/<case>/<material>/<random>", computing its SM3 digest on the
// way, and records it on the case (replacing an earlier file for the same
// material) with an approval.material_added event. Only the applicant, and
// only while the case is a draft or waits for missing materials. Errors:
// NotFound; Forbidden not_your_case; Conflict wrong_state; Invalid (a
// material the item does not list, a bad file name, a body shorter or
// longer than Size); TooLarge over MaxMaterialBytes.
func (s *Service) PutMaterial(ctx context.Context, actor accounts.Principal, caseID int64, up MaterialUpload) (CaseMaterial, error) {
	name, err := cleanFileName(up.FileName)
	if err != nil {
		return CaseMaterial{}, err
	}
	if up.Size > MaxMaterialBytes {
		return CaseMaterial{}, tooLarge()
	}
	file, err := s.checkMaterialTarget(ctx, actor, caseID, up.Material)
	if err != nil {
		return CaseMaterial{}, err
	}
	key := "approval/" + strconv.FormatInt(file, 10) + "/" + up.Material + "/" + randomHex()
	h := notary.NewSM3()
	body := io.LimitReader(io.TeeReader(up.Body, h), MaxMaterialBytes+1)
	info, err := s.blobs.Save(ctx, key, body, up.Size)
	if err != nil {
		return CaseMaterial{}, err
	}
	if info.Size > MaxMaterialBytes {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), key)
		return CaseMaterial{}, tooLarge()
	}
	m := materialRow{CaseID: file, Material: up.Material, FileName: name, BlobKey: key, SM3: hex.EncodeToString(h.Sum(nil)),
		Size: info.Size, UploadedAt: s.clock.Now().UTC().Truncate(time.Millisecond)}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.checkMaterialTarget(ctx, actor, caseID, up.Material); err != nil {
			return err
		}
		if err := s.st.putMaterial(ctx, m); err != nil {
			return err
		}
		return s.append(ctx, EventMaterialAdded, caseSubject(caseID), actor, map[string]any{
			"material": m.Material, "sm3": m.SM3, "size": m.Size})
	})
	if err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), key) // no orphan object
		return CaseMaterial{}, err
	}
	return CaseMaterial{Material: m.Material, FileName: m.FileName, SM3: m.SM3, Size: m.Size, UploadedAt: m.UploadedAt}, nil
}

// checkMaterialTarget checks that actor may add material to the case now
// (locking the case inside a transaction) and returns the case whose file
// takes it: the case itself, or the joint file of a sub-case.
func (s *Service) checkMaterialTarget(ctx context.Context, actor accounts.Principal, caseID int64, material string) (int64, error) {
	r, err := s.forApplicant(ctx, actor, caseID)
	if err != nil {
		return 0, err
	}
	if st := CaseState(r.State); st != CaseDraft && st != CaseSupplementing {
		return 0, stateError(r, "只有草稿或待补正的办件可以上传材料", "materials can be added to a draft or a case waiting for missing materials")
	}
	it, err := s.st.itemByID(ctx, r.ItemID)
	if err != nil {
		return 0, err
	}
	for _, m := range it.Materials {
		if m.Key == material {
			return fileOf(r), nil
		}
	}
	return 0, apperr.Newf(apperr.Invalid, "事项 %s 没有名为 %q 的材料", "item %s lists no material %q", it.Code, material).
		WithField("material", "not a material of the item").WithCode("unknown_material")
}

// Materials lists the files given on a case. Errors: NotFound (also for a
// case actor may not read).
// A sub-case of a joint file shows the joint file's materials.
func (s *Service) Materials(ctx context.Context, actor accounts.Principal, caseID int64) ([]CaseMaterial, error) {
	r, err := s.readable(ctx, actor, caseID, false)
	if err != nil {
		return nil, err
	}
	rows, err := s.st.materials(ctx, fileOf(r))
	if err != nil {
		return nil, err
	}
	out := make([]CaseMaterial, len(rows))
	for i, m := range rows {
		out[i] = m.view()
	}
	return out, nil
}

// OpenMaterial opens the file given for material on a case (for a
// sub-case, on its joint file); the caller closes it. Errors: NotFound
// (also for a case actor may not read, or a material without a file).
func (s *Service) OpenMaterial(ctx context.Context, actor accounts.Principal, caseID int64, material string) (CaseMaterial, io.ReadCloser, error) {
	r, err := s.readable(ctx, actor, caseID, false)
	if err != nil {
		return CaseMaterial{}, nil, err
	}
	rows, err := s.st.materials(ctx, fileOf(r))
	if err != nil {
		return CaseMaterial{}, nil, err
	}
	for _, m := range rows {
		if m.Material == material {
			body, err := s.blobs.Open(ctx, m.BlobKey, 0, -1)
			return m.view(), body, err
		}
	}
	return CaseMaterial{}, nil, apperr.New(apperr.NotFound, "该材料尚未提交", "no file was given for this material").WithCode("not_found")
}

// fileOf is the case whose materials r uses: its joint file, or itself.
func fileOf(r caseRow) int64 {
	if r.ParentCaseID != nil {
		return *r.ParentCaseID
	}
	return r.ID
}

func (m materialRow) view() CaseMaterial {
	return CaseMaterial{Material: m.Material, FileName: m.FileName, SM3: m.SM3, Size: m.Size, UploadedAt: m.UploadedAt.UTC(), ReusedFrom: m.ReusedFrom}
}

// missingRequired returns the keys of the item's required materials the
// case has no file for, in the item's order.
func (s *Service) missingRequired(ctx context.Context, r caseRow) ([]string, error) {
	it, err := s.st.itemByID(ctx, r.ItemID)
	if err != nil {
		return nil, err
	}
	rows, err := s.st.materials(ctx, fileOf(r))
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, m := range rows {
		have[m.Material] = true
	}
	missing := []string{}
	for _, m := range it.Materials {
		if m.Required && !have[m.Key] {
			missing = append(missing, m.Key)
		}
	}
	return missing, nil
}

func tooLarge() error {
	return apperr.Newf(apperr.TooLarge, "单个材料文件不能超过 %d MiB", "a material file may be at most %d MiB", MaxMaterialBytes>>20).
		WithCode("too_large")
}

// cleanFileName keeps the base name and refuses empty, overlong or
// control-character names.
func cleanFileName(name string) (string, error) {
	n := strings.TrimSpace(path.Base(strings.ReplaceAll(name, `\`, "/")))
	ok := n != "" && n != "." && n != "/" && utf8.ValidString(n) && len(n) <= 255
	for _, r := range n {
		if unicode.IsControl(r) {
			ok = false
		}
	}
	if !ok {
		return "", apperr.New(apperr.Invalid, "文件名无效", "the file name is invalid").
			WithField("fileName", "1-255 bytes of UTF-8 without control characters").WithCode("bad_file_name")
	}
	return n, nil
}

func randomHex() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic("approval: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}
