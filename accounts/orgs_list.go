package accounts

import (
	"context"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// ListOrgs returns up to 500 organisations of one kind, by name, for staff
// choosing one (an agent picks the tenderer of a new project). Errors:
// apperr.Forbidden for non-staff, apperr.Invalid for an unknown kind.
func (s *Service) ListOrgs(ctx context.Context, actor Principal, kind OrgKind) ([]Org, error) {
	if !actor.Staff() {
		return nil, apperr.New(apperr.Forbidden, "只有工作人员可以查看机构列表", "only staff may list organisations")
	}
	switch kind {
	case OrgPlatform, OrgAgency, OrgTenderer, OrgDepartment, OrgBidder:
	default:
		return nil, apperr.Newf(apperr.Invalid, "未知机构类型 %q", "unknown organisation kind %q", kind).WithField("kind", "unknown")
	}
	var rows []orgRow
	if err := s.find(ctx, &rows, "kind = ?", string(kind)); err != nil {
		return nil, err
	}
	out := make([]Org, 0, len(rows))
	for _, r := range rows {
		out = append(out, orgFromRow(r))
	}
	return out, nil
}
