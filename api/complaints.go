package api

import (
	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/supervision"
)

func (s *Server) complaintOptions(c *gin.Context) error {
	return withServiceID(c, s.supervisionService, func(svc *supervision.Service, id int64) (any, error) {
		return svc.ComplaintOptions(c.Request.Context(), caller(c), id)
	})
}

func (s *Server) fileComplaint(c *gin.Context) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req supervision.ComplaintRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := svc.FileComplaint(c.Request.Context(), caller(c), id, req)
	return reply(c, v, err, true)
}

func (s *Server) listComplaints(c *gin.Context) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	v, err := svc.Complaints(c.Request.Context(), caller(c), supervision.ComplaintFilter{State: c.Query("state")})
	return reply(c, v, err, false)
}

func (s *Server) acceptComplaint(c *gin.Context) error {
	return withServiceID(c, s.supervisionService, func(svc *supervision.Service, id int64) (any, error) {
		var req supervision.AcceptRequest
		if err := decodeJSON(c, &req); err != nil {
			return nil, err
		}
		return svc.AcceptComplaint(c.Request.Context(), caller(c), id, req)
	})
}

func (s *Server) refuseComplaint(c *gin.Context) error {
	return withServiceID(c, s.supervisionService, func(svc *supervision.Service, id int64) (any, error) {
		var req ReasonRequest
		if err := decodeJSON(c, &req); err != nil {
			return nil, err
		}
		return svc.RefuseComplaint(c.Request.Context(), caller(c), id, req.Reason)
	})
}

func (s *Server) decideComplaint(c *gin.Context) error {
	return withServiceID(c, s.supervisionService, func(svc *supervision.Service, id int64) (any, error) {
		var req supervision.DecideRequest
		if err := decodeJSON(c, &req); err != nil {
			return nil, err
		}
		return svc.DecideComplaint(c.Request.Context(), caller(c), id, req)
	})
}

func (s *Server) publicDecisions(c *gin.Context) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	v, err := svc.PublicDecisions(c.Request.Context())
	return reply(c, v, err, false)
}
