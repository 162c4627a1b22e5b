package bidding

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// MaxEscrowHolders bounds n of a section's k-of-n escrow split.
const MaxEscrowHolders = 16

// EscrowKey is a section's escrow key as the public sees it: bidders seal
// their bids to it as a second recipient; the commitments let anyone check
// a share handed in at a remedy.
type EscrowKey struct {
	SectionID   int64     `json:"sectionId" gorm:"column:section_id;primaryKey"`
	PublicKey   string    `json:"publicKey" gorm:"column:public_key"`
	KeyID       string    `json:"keyId" gorm:"column:key_id"`
	Threshold   int       `json:"threshold" gorm:"column:threshold"`
	Holders     int       `json:"holders" gorm:"column:holders"`
	Commitments string    `json:"commitments" gorm:"column:commitments"` // hex points, comma-separated
	CreatedAt   time.Time `json:"createdAt" gorm:"column:created_at"`
}

// TableName maps EscrowKey to its table.
func (EscrowKey) TableName() string { return "escrow_keys" }

// escrowShare is one holder's wrapped share.
type escrowShare struct {
	SectionID    int64  `gorm:"column:section_id;primaryKey"`
	HolderUserID int64  `gorm:"column:holder_user_id;primaryKey"`
	ShareIndex   int    `gorm:"column:share_index"`
	HolderKeyID  string `gorm:"column:holder_key_id"`
	Wrapped      string `gorm:"column:wrapped"`
}

func (escrowShare) TableName() string { return "escrow_shares" }

// WrappedShare is what a holder fetches to unwrap locally with its key.
type WrappedShare struct {
	SectionID   int64  `json:"sectionId"`
	EscrowKeyID string `json:"escrowKeyId"`
	Index       int    `json:"index"`
	HolderKeyID string `json:"holderKeyId"`
	Wrapped     string `json:"wrapped"` // base64 SM2 ciphertext of the marshalled share
}

// checkEscrowRule validates a section's escrow setting: both zero, or
// 2 ≤ k ≤ n ≤ MaxEscrowHolders.
func checkEscrowRule(k, n int) error {
	if k == 0 && n == 0 {
		return nil
	}
	if k < 2 || k > n || n > MaxEscrowHolders {
		return apperr.Newf(apperr.Invalid, "托管门限 %d / %d 无效（须 2 ≤ k ≤ n ≤ %d）", "escrow threshold %d of %d is invalid (want 2 ≤ k ≤ n ≤ %d)",
			k, n, MaxEscrowHolders).WithField("escrowThreshold", "2 ≤ k ≤ n ≤ 16")
	}
	return nil
}

// setupEscrow creates the section's escrow key at publication, inside the
// caller's transaction: the key is split among the first n supervisors
// granted on the project that registered an SM2 key, each share wrapped
// to its holder, and the private key is dropped. Errors: apperr.Conflict
// (escrow_holders_missing) when too few supervisors qualify.
func (s *Service) setupEscrow(ctx context.Context, sec Section, actor string) error {
	k, n := sec.Rulebook.EscrowThreshold, sec.Rulebook.EscrowHolders
	if k == 0 {
		return nil
	}
	holders, err := s.escrowHolders(ctx, sec.ProjectID, n)
	if err != nil {
		return err
	}
	priv, err := notary.GenerateKey()
	if err != nil {
		return err
	}
	split, err := notary.SplitKey(priv, k, n)
	if err != nil {
		return err
	}
	var commits []string
	for _, c := range split.Commitments {
		commits = append(commits, hex.EncodeToString(c))
	}
	key := EscrowKey{SectionID: sec.ID, PublicKey: split.Key.PEM, KeyID: split.Key.ID, Threshold: k, Holders: n,
		Commitments: strings.Join(commits, ","), CreatedAt: s.now()}
	if err := s.st.insert(ctx, &key); err != nil {
		return err
	}
	ids := make([]int64, n)
	for i, h := range holders {
		pub, err := notary.ParsePublicKeyPEM(h.PEM)
		if err != nil {
			return err
		}
		w, err := notary.WrapShare(split.Shares[i], pub)
		if err != nil {
			return err
		}
		row := escrowShare{SectionID: sec.ID, HolderUserID: h.UserID, ShareIndex: split.Shares[i].Index, HolderKeyID: pub.ID,
			Wrapped: base64.StdEncoding.EncodeToString(w)}
		if err := s.st.insert(ctx, &row); err != nil {
			return err
		}
		ids[i] = h.UserID
	}
	_, err = s.events.Append(ctx, eventlog.Entry{Type: "escrow.created", Subject: sectionRef(sec.ID), Actor: actor,
		Payload: map[string]any{"keyId": key.KeyID, "threshold": k, "holders": ids, "commitments": commits}})
	return err
}

// escrowHolders picks n supervisors granted on the project with a key.
func (s *Service) escrowHolders(ctx context.Context, projectID int64, n int) ([]accounts.UserKey, error) {
	var rows []struct {
		UserID int64  `gorm:"column:user_id"`
		PEM    string `gorm:"column:sm2_public_key"`
	}
	err := s.db.Conn(ctx).Raw(`SELECT g.user_id, u.sm2_public_key FROM project_grants g JOIN users u ON u.id = g.user_id
		WHERE g.project_id = ? AND g.role = ? AND u.sm2_public_key IS NOT NULL AND u.status = 'active' ORDER BY g.user_id`,
		ProjectGrantID(projectID), string(accounts.RoleSupervisor)).Scan(&rows).Error
	if err != nil {
		return nil, storage.Translate(err)
	}
	if len(rows) < n {
		return nil, apperr.Newf(apperr.Conflict, "托管密钥需要 %d 名已登记 SM2 公钥的项目监督人员，现有 %d 名",
			"the escrow key needs %d supervisors granted on the project with a registered SM2 key; there are %d", n, len(rows)).
			WithCode("escrow_holders_missing")
	}
	out := make([]accounts.UserKey, n)
	for i := range out {
		out[i] = accounts.UserKey{UserID: rows[i].UserID, PEM: rows[i].PEM}
	}
	return out, nil
}

// SectionEscrow returns a section's escrow key, for bidders to seal to.
// Errors: apperr.NotFound (no_escrow) when the section has none.
func (s *Service) SectionEscrow(ctx context.Context, sectionID int64) (EscrowKey, error) {
	var ks []EscrowKey
	if err := s.db.Conn(ctx).Where("section_id = ?", sectionID).Limit(1).Find(&ks).Error; err != nil {
		return EscrowKey{}, storage.Translate(err)
	}
	if len(ks) == 0 {
		return EscrowKey{}, apperr.New(apperr.NotFound, "该标段未启用托管密钥", "this section has no escrow key").WithCode("no_escrow")
	}
	return ks[0], nil
}

// MyEscrowShare returns the caller's wrapped share of a section's escrow
// key. Errors: apperr.NotFound (no_escrow, not_a_holder).
func (s *Service) MyEscrowShare(ctx context.Context, actor accounts.Principal, sectionID int64) (WrappedShare, error) {
	key, err := s.SectionEscrow(ctx, sectionID)
	if err != nil {
		return WrappedShare{}, err
	}
	sh, err := s.holderShare(ctx, sectionID, actor.UserID)
	if err != nil {
		return WrappedShare{}, err
	}
	return WrappedShare{SectionID: sectionID, EscrowKeyID: key.KeyID, Index: sh.ShareIndex, HolderKeyID: sh.HolderKeyID, Wrapped: sh.Wrapped}, nil
}

func (s *Service) holderShare(ctx context.Context, sectionID, userID int64) (escrowShare, error) {
	var rows []escrowShare
	if err := s.db.Conn(ctx).Where("section_id = ? AND holder_user_id = ?", sectionID, userID).Limit(1).Find(&rows).Error; err != nil {
		return escrowShare{}, storage.Translate(err)
	}
	if len(rows) == 0 {
		return escrowShare{}, apperr.New(apperr.NotFound, "您不持有该标段托管密钥的份额", "you hold no share of this section's escrow key").WithCode("not_a_holder")
	}
	return rows[0], nil
}

// escrowExpect adds the section's escrow key, if any, to what an envelope
// must carry.
func (s *Service) escrowExpect(ctx context.Context, sectionID int64, e *notary.Expect) error {
	key, err := s.SectionEscrow(ctx, sectionID)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	e.Recipients = []string{key.KeyID}
	return nil
}

// CommitmentPoints decodes the commitments, for notary.VerifyShare.
func (k EscrowKey) CommitmentPoints() [][]byte { return k.commitments() }

func (k EscrowKey) commitments() [][]byte {
	var out [][]byte
	for _, c := range strings.Split(k.Commitments, ",") {
		b, _ := hex.DecodeString(c)
		out = append(out, b)
	}
	return out
}
