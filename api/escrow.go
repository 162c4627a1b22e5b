package api

import (
	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/bidding"
)

// The escrow remedy (issue Opening, part 8): a supervisor registers a
// personal SM2 key; a section that enables escrow publishes its escrow
// public key for bidders to seal to; after the decryption window the host
// or a supervisor asks for a remedy of a bid and k holders hand in their
// shares, each unwrapped on the holder's own machine.

// RemedyRequest asks for an escrow remedy of a bid.
type RemedyRequest struct {
	Reason string `json:"reason" required:"true"`
}

// ShareRequest hands in a holder's escrow share.
type ShareRequest struct {
	Share string `json:"share" required:"true"` // hex of the marshalled share (notary/FORMAT.md §8)
}

func (s *Server) setMyKey(c *gin.Context) error {
	var req PublicKeyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	k, err := s.deps.Accounts.SetUserPublicKey(c.Request.Context(), caller(c), req.PEM)
	return reply(c, k, err, false)
}

func (s *Server) sectionEscrow(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		k, err := svc.SectionEscrow(c.Request.Context(), id)
		return reply(c, k, err, false)
	})
}

func (s *Server) myEscrowShare(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		w, err := svc.MyEscrowShare(c.Request.Context(), caller(c), id)
		return reply(c, w, err, false)
	})
}

// withBid runs fn with the section id and the :bid path parameter.
func (s *Server) withBid(c *gin.Context, fn func(svc *bidding.Service, id, bid int64) error) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		bid, err := pathID(c, "bid")
		if err != nil {
			return err
		}
		return fn(svc, id, bid)
	})
}

func (s *Server) requestRemedy(c *gin.Context) error {
	return s.withBid(c, func(svc *bidding.Service, id, bid int64) error {
		var req RemedyRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		r, err := svc.RequestRemedy(c.Request.Context(), caller(c), id, bid, req.Reason)
		return reply(c, r, err, true)
	})
}

func (s *Server) getRemedy(c *gin.Context) error {
	return s.withBid(c, func(svc *bidding.Service, id, bid int64) error {
		r, err := svc.RemedyOf(c.Request.Context(), id, bid)
		return reply(c, r, err, false)
	})
}

func (s *Server) submitShare(c *gin.Context) error {
	return s.withBid(c, func(svc *bidding.Service, id, bid int64) error {
		var req ShareRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		r, err := svc.SubmitEscrowShare(c.Request.Context(), caller(c), id, bid, req.Share)
		if err != nil {
			s.log.InfoContext(c.Request.Context(), "escrow share refused", "request_id", requestID(c), "section", id, "bid", bid, "code", errCode(err))
		}
		return reply(c, r, err, false)
	})
}
