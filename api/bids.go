package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Sealed-bid upload (issue 4, part 7). A bidder opens an upload on a
// section, PUTs the envelope's bytes in chunks at explicit offsets
// (?offset=N, which must equal the upload's current size: a wrong or
// duplicated chunk is 409 wrong_offset, and GET tells where to resume),
// then finalizes (?size=N, the envelope's total size, optional) and gets
// the platform-signed receipt. Bidders see only their own uploads and bids
// (anyone else's is 404); a section's agent sees the number of bids only
// after the deadline.

// UploadView is an upload session: where the next chunk starts.
type UploadView struct {
	UploadID      string `json:"uploadId"`
	SectionID     int64  `json:"sectionId"`
	Offset        int64  `json:"offset"`
	Status        string `json:"status"`
	MaxChunkBytes int64  `json:"maxChunkBytes"`
	BidID         *int64 `json:"bidId,omitempty"`
}

// BidCountView is the number of current bids on a section.
type BidCountView struct {
	SectionID int64 `json:"sectionId"`
	Count     int64 `json:"count"`
}

func init() {
	// The chunk route streams its body to the blob store (see streamedBodies).
	streamedBodies["PUT /api/v1/uploads/:id"] = bidding.MaxChunkBytes + 1
}

func uploadView(u bidding.Upload) UploadView {
	return UploadView{UploadID: u.ID, SectionID: u.SectionID, Offset: u.Size, Status: string(u.Status),
		MaxChunkBytes: bidding.MaxChunkBytes, BidID: u.BidID}
}

// queryInt reads a non-negative integer query parameter; def when absent.
func queryInt(c *gin.Context, name string, def int64) (int64, error) {
	v, present := c.GetQuery(name)
	if !present {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.Newf(apperr.Invalid, "查询参数 %s 应为非负整数", "query parameter %s must be a non-negative integer", name).
			WithField(name, "not a non-negative integer")
	}
	return n, nil
}

func (s *Server) createUpload(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		u, err := svc.CreateUpload(c.Request.Context(), caller(c), id)
		return reply(c, uploadView(u), err, true)
	})
}

func (s *Server) getUpload(c *gin.Context) error {
	svc, err := s.biddingService()
	if err != nil {
		return err
	}
	u, err := svc.GetUpload(c.Request.Context(), caller(c), c.Param("id"))
	return reply(c, uploadView(u), err, false)
}

func (s *Server) appendUpload(c *gin.Context) error {
	svc, err := s.biddingService()
	if err != nil {
		return err
	}
	off, err := queryInt(c, "offset", -1)
	if err != nil {
		return err
	}
	if off < 0 {
		return apperr.New(apperr.Invalid, "缺少查询参数 offset", "the offset query parameter is required").WithField("offset", "required")
	}
	u, err := svc.AppendUpload(c.Request.Context(), caller(c), c.Param("id"), off, c.Request.Body, c.Request.ContentLength)
	return reply(c, uploadView(u), err, false)
}

func (s *Server) finalizeUpload(c *gin.Context) error {
	svc, err := s.biddingService()
	if err != nil {
		return err
	}
	size, err := queryInt(c, "size", 0)
	if err != nil {
		return err
	}
	r, err := svc.FinalizeUpload(c.Request.Context(), caller(c), c.Param("id"), size)
	if err != nil {
		return err
	}
	return created(c, r)
}

func (s *Server) myBids(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		bids, err := svc.MyBids(c.Request.Context(), caller(c), id)
		return reply(c, bids, err, false)
	})
}

// BidHeaderView is a stored bid's envelope header, for the browser to
// unwrap the data key at the opening.
type BidHeaderView struct {
	BidID  int64  `json:"bidId"`
	Header []byte `json:"header"` // base64 in JSON
}

func (s *Server) bidHeader(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		h, err := svc.BidHeader(c.Request.Context(), caller(c), id)
		return reply(c, BidHeaderView{BidID: id, Header: h}, err, false)
	})
}

func (s *Server) withdrawBid(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		b, err := svc.WithdrawBid(c.Request.Context(), caller(c), id)
		return reply(c, b, err, false)
	})
}

func (s *Server) bidCount(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		n, err := svc.BidCount(c.Request.Context(), caller(c), id)
		return reply(c, BidCountView{SectionID: id, Count: n}, err, false)
	})
}
