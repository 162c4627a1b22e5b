package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// The opening room (issue 5). Bidders check in by signing a challenge with
// their SM2 key and hand over their data key during the decryption window;
// the host (the project's agent) runs the objections and closes the room;
// everyone signed in may watch; the signed opening record is public.

// SignInRequest answers a sign-in challenge.
type SignInRequest struct {
	ChallengeID string `json:"challengeId" required:"true"`
	Signature   string `json:"signature" required:"true"` // base64 SM2 signature of bidding.SignInMessage
}

// DecryptRequest hands over a bid's data key, unwrapped by its bidder.
type DecryptRequest struct {
	DEK string `json:"dek" required:"true"` // 32 hex digits
}

// TextRequest carries an objection, an answer or an announcement.
type TextRequest struct {
	Text string `json:"text" required:"true"`
}

func (s *Server) roomView(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		v, err := svc.Room(c.Request.Context(), caller(c), id)
		return reply(c, v, err, false)
	})
}

func (s *Server) roomChallenge(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		ch, err := svc.NewChallenge(c.Request.Context(), caller(c), id)
		return reply(c, ch, err, true)
	})
}

func (s *Server) roomSignIn(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req SignInRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		ci, err := svc.SignIn(c.Request.Context(), caller(c), id, req.ChallengeID, req.Signature)
		return reply(c, ci, err, true)
	})
}

func (s *Server) roomJoin(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		ci, err := svc.Join(c.Request.Context(), caller(c), id)
		return reply(c, ci, err, true)
	})
}

func (s *Server) roomDecrypt(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req DecryptRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		ob, err := svc.Decrypt(c.Request.Context(), caller(c), id, req.DEK)
		if err != nil {
			s.log.InfoContext(c.Request.Context(), "decryption refused", "request_id", requestID(c), "section", id, "code", errCode(err))
		}
		return reply(c, ob, err, false)
	})
}

func (s *Server) roomStartObjections(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		r, err := svc.StartObjections(c.Request.Context(), caller(c), id)
		return reply(c, r, err, false)
	})
}

func (s *Server) roomObjection(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req TextRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		o, err := svc.RaiseRoomObjection(c.Request.Context(), caller(c), id, req.Text)
		return reply(c, o, err, true)
	})
}

func (s *Server) roomAnswer(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req TextRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		o, err := svc.AnswerRoomObjection(c.Request.Context(), caller(c), id, req.Text)
		return reply(c, o, err, false)
	})
}

func (s *Server) roomAnnounce(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req TextRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		err := svc.Announce(c.Request.Context(), caller(c), id, req.Text)
		return reply(c, gin.H{"ok": true}, err, true)
	})
}

func (s *Server) roomClose(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		r, err := svc.CloseRoom(c.Request.Context(), caller(c), id)
		return reply(c, r, err, false)
	})
}

func (s *Server) roomMessages(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		after, err := queryInt(c, "after", 0)
		if err != nil {
			return err
		}
		ms, err := svc.RoomMessages(c.Request.Context(), id, after, 500)
		return reply(c, ms, err, false)
	})
}

func (s *Server) retender(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		sec, err := svc.Retender(c.Request.Context(), caller(c), id)
		return reply(c, sec, err, true)
	})
}

// openingRecord serves the signed record, JSON or (?format=pdf) PDF.
func (s *Server) openingRecord(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		format := c.DefaultQuery("format", "json")
		if format != "json" && format != "pdf" {
			return apperr.New(apperr.Invalid, "format 应为 json 或 pdf", "format must be json or pdf").WithField("format", "json or pdf")
		}
		doc, err := svc.OpeningRecordFile(c.Request.Context(), id, format == "pdf")
		if err != nil {
			return err
		}
		ct := "application/json"
		if format == "pdf" {
			ct = "application/pdf"
			c.Header("Content-Disposition", contentDisposition("开标记录表-"+strconv.FormatInt(id, 10)+".pdf"))
		}
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, ct, doc)
		return nil
	})
}

// errCode is an error's machine code, for logs.
func errCode(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.MachineCode()
	}
	return ""
}
