package bidding

import (
	"context"

	"github.com/tenderhall/tenderhall/accounts"
)

// SectionAnnouncement returns a section's announcement in whatever status
// (draft, approved, published) to those who may read the project: the
// agent's page edits the draft it saved earlier. Errors: apperr.NotFound
// (no section, or no announcement yet), apperr.Forbidden.
func (s *Service) SectionAnnouncement(ctx context.Context, actor accounts.Principal, sectionID int64) (Announcement, error) {
	_, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return Announcement{}, err
	}
	if err := canRead(actor, p); err != nil {
		return Announcement{}, err
	}
	return s.st.announcementOf(ctx, sectionID)
}

// SectionObjections lists a section's objections to the tender documents,
// oldest first, for the project's readers (the agent answers them).
// Errors: apperr.NotFound, apperr.Forbidden.
func (s *Service) SectionObjections(ctx context.Context, actor accounts.Principal, sectionID int64) ([]Objection, error) {
	_, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return nil, err
	}
	if err := canRead(actor, p); err != nil {
		return nil, err
	}
	return s.st.objectionsOf(ctx, sectionID)
}
