package accounts

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// Org is an organisation: a bidder, agency, tenderer, government department
// or the platform operator.
type Org struct {
	ID          int64
	Kind        OrgKind
	Name        string
	USCC        string // 统一社会信用代码; empty only for departments and the platform
	Region      string // administrative division code
	PublicKey   string // bidders: the registered SM2 public key, normalised PEM
	PublicKeyID string // hex SM3 of the key (notary.PublicKey.ID)
	CreatedAt   time.Time
}

// NewOrg is what CreateOrg needs. Region defaults to the division code in
// the USCC.
type NewOrg struct {
	Kind   OrgKind
	Name   string
	USCC   string
	Region string
}

// CreateOrg registers an organisation on behalf of an administrator. It
// returns apperr.Forbidden if actor is not an admin, apperr.Invalid for a bad
// kind, name, region or USCC (ValidUSCC), and apperr.Conflict when the USCC
// is registered already.
func (s *Service) CreateOrg(ctx context.Context, actor Principal, in NewOrg) (Org, error) {
	if err := requireAdmin(actor); err != nil {
		return Org{}, err
	}
	return s.createOrg(ctx, actor.Actor(), in)
}

func (s *Service) createOrg(ctx context.Context, actor string, in NewOrg) (Org, error) {
	row, err := s.orgRowFor(in)
	if err != nil {
		return Org{}, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.insert(ctx, &row); err != nil {
			if storage.IsDuplicate(err) {
				return apperr.New(apperr.Conflict, "该统一社会信用代码已注册", "an organisation with this unified social credit code is already registered").
					WithField("uscc", "taken").WithCode("uscc_taken")
			}
			return err
		}
		return s.audit(ctx, EventOrgCreated, orgRef(row.ID), actor,
			map[string]any{"kind": row.Kind, "name": row.Name, "uscc": row.USCC, "region": row.Region})
	})
	if err != nil {
		return Org{}, err
	}
	return orgFromRow(row), nil
}

func (s *Service) orgRowFor(in NewOrg) (orgRow, error) {
	if !in.Kind.Valid() {
		return orgRow{}, apperr.Newf(apperr.Invalid, "未知机构类型 %q", "unknown organisation kind %q", in.Kind).WithField("kind", "unknown")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return orgRow{}, apperr.New(apperr.Invalid, "机构名称应为 1–200 个字符", "the organisation name must be 1–200 characters").WithField("name", "length")
	}
	now := s.now()
	row := orgRow{Kind: string(in.Kind), Name: name, Region: strings.TrimSpace(in.Region), CreatedAt: now, UpdatedAt: now}
	if code := NormalizeUSCC(in.USCC); code != "" {
		if err := ValidUSCC(code); err != nil {
			return orgRow{}, err
		}
		row.USCC = &code
		if row.Region == "" {
			row.Region = code[2:8]
		}
	} else if in.Kind.NeedsUSCC() {
		return orgRow{}, apperr.New(apperr.Invalid, "投标人、代理机构和招标人必须填写统一社会信用代码",
			"bidders, agencies and tenderers must give their unified social credit code").WithField("uscc", "required")
	}
	if !validRegion(row.Region) {
		return orgRow{}, apperr.New(apperr.Invalid, "行政区划代码应为 6–12 位数字", "the region must be a 6–12 digit division code").WithField("region", "format")
	}
	return row, nil
}

func validRegion(r string) bool {
	if r == "" {
		return true
	}
	if len(r) < 6 || len(r) > 12 {
		return false
	}
	return strings.Trim(r, "0123456789") == ""
}

// GetOrg returns the organisation with id, or apperr.NotFound.
func (s *Service) GetOrg(ctx context.Context, id int64) (Org, error) {
	row, err := s.getOrg(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return Org{}, apperr.Newf(apperr.NotFound, "机构 %d 不存在", "organisation %d does not exist", id)
	}
	return orgFromRow(row), err
}

// SetOrgPublicKey registers or replaces a bidder organisation's SM2 public
// key (a PUBLIC KEY or CERTIFICATE PEM, stored as the normalised PUBLIC KEY
// PEM) and audits it with the old and new key ids. The actor must be an
// admin or a bidder user of that organisation. It returns apperr.NotFound,
// apperr.Forbidden, or apperr.Invalid for a non-bidder organisation or a key
// notary.ParsePublicKeyPEM rejects.
func (s *Service) SetOrgPublicKey(ctx context.Context, actor Principal, orgID int64, pemText string) (Org, error) {
	if !actor.Has(RoleAdmin) && !(actor.Has(RoleBidder) && actor.OrgID == orgID && orgID != 0) {
		return Org{}, apperr.New(apperr.Forbidden, "只有本单位的投标人用户或管理员可以登记公钥",
			"only the organisation's bidder users or an administrator may register its key")
	}
	key, err := notary.ParsePublicKeyPEM(strings.TrimSpace(pemText))
	if err != nil {
		return Org{}, err
	}
	var org Org
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		row, err := s.getOrg(ctx, orgID)
		if err != nil {
			return apperr.Wrap(err, apperr.NotFound, "机构不存在", "the organisation does not exist")
		}
		if OrgKind(row.Kind) != OrgBidder {
			return apperr.New(apperr.Invalid, "只有投标人机构登记 SM2 公钥", "only bidder organisations register an SM2 key").WithField("orgId", "not a bidder")
		}
		previous := orgFromRow(row).PublicKeyID
		now := s.now()
		if err := s.setOrgKey(ctx, orgID, key.PEM, now); err != nil {
			return err
		}
		row.PublicKey, row.UpdatedAt = &key.PEM, now
		org = orgFromRow(row)
		return s.audit(ctx, EventOrgKeyRegistered, orgRef(orgID), actor.Actor(),
			map[string]any{"keyId": key.ID, "previousKeyId": previous, "replaced": previous != ""})
	})
	return org, err
}

func orgFromRow(r orgRow) Org {
	o := Org{ID: r.ID, Kind: OrgKind(r.Kind), Name: r.Name, Region: r.Region, CreatedAt: r.CreatedAt}
	if r.USCC != nil {
		o.USCC = *r.USCC
	}
	if r.PublicKey != nil && *r.PublicKey != "" {
		o.PublicKey = *r.PublicKey
		if k, err := notary.ParsePublicKeyPEM(o.PublicKey); err == nil {
			o.PublicKeyID = k.ID
		}
	}
	return o
}
