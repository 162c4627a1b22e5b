package api

import (
	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/approval"
)

// CommentRequest is a department's remark on a joint file (网上会商).
type CommentRequest struct {
	Body string `json:"body" required:"true"`
}

// NoteRequest closes a follow-up task with what was done.
type NoteRequest struct {
	Note string `json:"note" required:"true"`
}

func (s *Server) myLibrary(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	lib, err := svc.Library(c.Request.Context(), caller(c))
	return reply(c, lib, err, false)
}

func (s *Server) jointCase(c *gin.Context) error {
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Joint(c.Request.Context(), caller(c), id)
	})
}

func (s *Server) commentJoint(c *gin.Context) error {
	var req CommentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Comment(c.Request.Context(), caller(c), id, req.Body)
	})
}

func (s *Server) rateCase(c *gin.Context) error {
	var req approval.RatingInput
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := svc.Rate(c.Request.Context(), caller(c), id, req)
	return reply(c, r, err, true)
}

func (s *Server) caseRating(c *gin.Context) error {
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.RatingOf(c.Request.Context(), caller(c), id)
	})
}

func (s *Server) listTasks(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	ts, err := svc.Tasks(c.Request.Context(), caller(c), c.Query("state"))
	return reply(c, ts, err, false)
}

func (s *Server) closeTask(c *gin.Context) error {
	var req NoteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.CloseTask(c.Request.Context(), caller(c), id, req.Note)
	})
}
