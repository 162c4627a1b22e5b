package bidding

import (
	"context"

	"github.com/tenderhall/tenderhall/accounts"
)

// ListProjects returns the projects the actor may read, newest first, with
// their sections: an agent's agency's projects and those it was granted,
// the tenderer's, and every project for administrators and supervisors
// (the web app's project list needs it; there was no way to find a
// project but by its id).
func (s *Service) ListProjects(ctx context.Context, actor accounts.Principal) ([]ProjectView, error) {
	all, err := s.st.projectsFor(ctx, actor.OrgID, actor.Has(accounts.RoleAdmin) || actor.Has(accounts.RoleSupervisor), grantedProjects(actor))
	if err != nil {
		return nil, err
	}
	out := []ProjectView{}
	for _, p := range all {
		if canRead(actor, p) != nil {
			continue
		}
		secs, err := s.st.sections(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ProjectView{Project: p, Sections: secs})
	}
	return out, nil
}

// grantedProjects lists the project ids the actor holds a grant on.
func grantedProjects(actor accounts.Principal) []string {
	var ids []string
	for _, g := range actor.Grants {
		ids = append(ids, g.ProjectID)
	}
	return ids
}
