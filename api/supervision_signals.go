package api

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/supervision"
)

// SignalsView is a section's collusion signals with the names of the
// bidders their evidence names (public once the section is opened, which
// is when signals first exist).
type SignalsView struct {
	Signals []supervision.Signal `json:"signals"`
	Bidders map[string]string    `json:"bidders"` // organisation ID → name
}

// chairSignals shows the committee's chair, in the room, the section's
// collusion signals (DESIGN.md §5: to the supervisor and the chair).
func (s *Server) chairSignals(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		ctx := c.Request.Context()
		section, err := svc.ChairSection(ctx, caller(c), id, c.ClientIP())
		if err != nil {
			return err
		}
		sup, err := s.supervisionService()
		if err != nil {
			return err
		}
		sigs, err := sup.ChairSignals(ctx, section)
		if err != nil {
			return err
		}
		return ok(c, SignalsView{Signals: sigs, Bidders: s.bidderNames(ctx, sigs)})
	})
}

// bidderNames names the organisations in the signals' evidence; one that
// cannot be read is left out (the page shows its number).
func (s *Server) bidderNames(ctx context.Context, sigs []supervision.Signal) map[string]string {
	out, names := map[string]string{}, map[int64]string{}
	for _, sig := range sigs {
		var ev struct {
			Bids []struct {
				BidderOrgID int64 `json:"bidderOrgId"`
			} `json:"bids"`
		}
		if json.Unmarshal(sig.Evidence, &ev) != nil {
			continue
		}
		for _, b := range ev.Bids {
			if b.BidderOrgID == 0 {
				continue
			}
			if name, ok := s.orgName(ctx, b.BidderOrgID, names); ok {
				out[strconv.FormatInt(b.BidderOrgID, 10)] = name
			}
		}
	}
	return out
}
