package bidding

import (
	"context"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/storage"
)

// SecretEvents are the bidding events that reveal what the rulebook keeps
// secret for a while (eventlog.Secret). Each is released on the same
// condition that releases the fact on bidding's own routes.
var SecretEvents = []eventlog.Secret{
	{Type: "document.downloaded", Release: eventlog.AtDeadline,
		Why: "who downloaded the tender documents (names and number of downloaders are secret until the deadline)"},
	{Type: "question.asked", Release: eventlog.AtDeadline,
		Why: "who asked a question: a downloader, and askers stay anonymous on the questions route"},
	{Type: "objection.raised", Release: eventlog.AtDeadline,
		Why: "which organisation objected to the tender documents: a downloader, whose names are secret until the deadline"},
	{Type: "bid.received", Release: eventlog.AtResults, Why: "which organisation bid, its digest and size, before the names are published"},
	{Type: "bid.withdrawn", Release: eventlog.AtResults, Why: "which organisation had bid and withdrew"},
	{Type: "bid.finalize_overran", Release: eventlog.AtResults, Why: "which organisation's in-time bid the platform failed to complete"},
	{Type: "opening.checkin", Release: eventlog.AtResults, Why: "who checked in to the opening room (the room shows counts only)"},
	{Type: "opening.decrypted", Release: eventlog.AtResults, Why: "whose bid was decrypted (the room shows counts only)"},
	{Type: "opening.revoked", Release: eventlog.AtResults, Why: "whose bid was revoked for not being decrypted"},
	{Type: "opening.decrypt_error", Release: eventlog.AtResults, Why: "whose data key failed"},
}

// Disclosure is what decides, for one section, which of its secret events
// may be read: the project (for who supervises it) and the three release
// moments of eventlog.Release as bidding's own routes apply them.
type Disclosure struct {
	Project        Project
	DeadlinePassed bool // the downloaders route answers (downloadersRevealed)
	ResultsPublic  bool // the room shows names and prices, or the section ended without an opening
	Final          bool // the section's result is final (State.Final), as the draw routes decide
}

// Released reports whether the moment r has come.
func (d Disclosure) Released(r eventlog.Release) bool {
	switch r {
	case eventlog.AtDeadline:
		return d.DeadlinePassed
	case eventlog.AtResults:
		return d.ResultsPublic
	case eventlog.AtFinal:
		return d.Final
	}
	return false
}

// DisclosureOf returns the Disclosure of each section in ids that exists
// (an unknown id is left out of the map). It reads every section, project
// and opening room of the page with three queries. Errors are those of
// storage.
func (s *Service) DisclosureOf(ctx context.Context, ids []int64) (map[int64]Disclosure, error) {
	out := map[int64]Disclosure{}
	if len(ids) == 0 {
		return out, nil
	}
	var secs []Section
	if err := s.db.Conn(ctx).Where("id IN ?", ids).Find(&secs).Error; err != nil {
		return nil, storage.Translate(err)
	}
	var pids []int64
	for _, sec := range secs {
		pids = append(pids, sec.ProjectID)
	}
	projects, err := s.ProjectsByID(ctx, pids)
	if err != nil {
		return nil, err
	}
	var rooms []Room
	if err := s.db.Conn(ctx).Where("section_id IN ? AND results_at IS NOT NULL", ids).Find(&rooms).Error; err != nil {
		return nil, storage.Translate(err)
	}
	results := map[int64]bool{}
	for _, r := range rooms {
		results[r.SectionID] = true
	}
	for _, sec := range secs {
		passed := s.downloadersRevealed(sec)
		ended := passed && (sec.State == StateFailed || sec.State == StateCancelled)
		out[sec.ID] = Disclosure{Project: projects[sec.ProjectID], DeadlinePassed: passed,
			ResultsPublic: results[sec.ID] || ended, Final: sec.State.Final()}
	}
	return out, nil
}

// ProjectsByID returns the projects with the given ids that exist, by id.
// Errors are those of storage.
func (s *Service) ProjectsByID(ctx context.Context, ids []int64) (map[int64]Project, error) {
	out := map[int64]Project{}
	if len(ids) == 0 {
		return out, nil
	}
	var ps []Project
	if err := s.db.Conn(ctx).Where("id IN ?", ids).Find(&ps).Error; err != nil {
		return nil, storage.Translate(err)
	}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, nil
}
