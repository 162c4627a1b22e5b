package api

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/video"
)

// CameraTokenHeader carries a camera's ingest token (ffmpeg: -headers).
const CameraTokenHeader = "X-Camera-Token"

// CameraClockHeader carries, on a playlist, the recorder's clock at sending
// (Unix ms): a spooling recorder (tenderhall video ingest) declares it so
// that a late upload after an outage is not taken for clock skew.
const CameraClockHeader = "X-Camera-Clock"

func (s *Server) videoService() (*video.Service, error) {
	if s.deps.Video == nil {
		return nil, apperr.New(apperr.Unavailable, "视频索引服务未启用", "the video index is not configured").WithCode("no_video")
	}
	return s.deps.Video, nil
}

func (s *Server) registerCamera(c *gin.Context) error {
	svc, err := s.videoService()
	if err != nil {
		return err
	}
	var req video.CameraRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cred, err := svc.RegisterCamera(c.Request.Context(), caller(c), req)
	return reply(c, cred, err, true)
}

func (s *Server) listCameras(c *gin.Context) error {
	svc, err := s.videoService()
	if err != nil {
		return err
	}
	cams, err := svc.Cameras(c.Request.Context(), caller(c))
	return reply(c, cams, err, false)
}

// withCamera runs fn with the video service and the route's camera id.
func (s *Server) withCamera(c *gin.Context, fn func(svc *video.Service, id int64) error) error {
	svc, err := s.videoService()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return fn(svc, id)
}

func (s *Server) rotateCameraToken(c *gin.Context) error {
	return s.withCamera(c, func(svc *video.Service, id int64) error {
		cred, err := svc.RotateToken(c.Request.Context(), caller(c), id)
		return reply(c, cred, err, false)
	})
}

// ingest takes what an encoder PUTs next to its playlist: segment files,
// streamed to the blob store, and the playlist, which logs them.
func (s *Server) ingest(c *gin.Context) error {
	svc, err := s.videoService()
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	cam, err := svc.Authenticate(ctx, c.GetHeader(CameraTokenHeader))
	if err != nil {
		return err
	}
	file := c.Param("file")
	if !strings.HasSuffix(file, ".m3u8") {
		seg, err := svc.SaveSegment(ctx, cam, file, c.Request.Body, c.Request.ContentLength)
		return reply(c, seg, err, true)
	}
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, video.MaxPlaylistBytes+1))
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "播放列表读取失败", "the playlist could not be read")
	}
	var camNow time.Time
	if h := c.GetHeader(CameraClockHeader); h != "" {
		ms, err := strconv.ParseInt(h, 10, 64)
		if err != nil || ms <= 0 {
			return apperr.New(apperr.Invalid, CameraClockHeader+" 须为毫秒时间戳", CameraClockHeader+" must be Unix milliseconds").WithField(CameraClockHeader, "integer")
		}
		camNow = time.UnixMilli(ms)
	}
	res, err := svc.IndexPlaylist(ctx, cam, raw, camNow)
	if err != nil && len(res.Logged) > 0 {
		// Some entries were logged and are kept; the error names the rest.
		s.log.Warn("playlist entries refused", "camera", cam.ID, "error", err.Error())
	}
	return reply(c, res, err, false)
}

// videoWindow answers the recording of a camera around ?at= (Unix ms) as
// JSON, or as an HLS playlist for the player with ?format=m3u8.
func (s *Server) videoWindow(c *gin.Context) error {
	return s.withCamera(c, func(svc *video.Service, id int64) error { return s.serveWindow(c, svc, id) })
}

func (s *Server) serveWindow(c *gin.Context, svc *video.Service, id int64) error {
	at, err := queryInt(c, "at", -1)
	if err != nil || at < 0 {
		return apperr.New(apperr.Invalid, "请给出时刻 at（毫秒时间戳）", "give the moment as at= (Unix milliseconds)").WithField("at", "required")
	}
	before, err1 := queryInt(c, "before", 60)
	after, err2 := queryInt(c, "after", 120)
	if err1 != nil || err2 != nil {
		return apperr.New(apperr.Invalid, "before 与 after 须为秒数", "before and after are seconds").WithField("before", "integer")
	}
	w, err := svc.WindowAround(c.Request.Context(), caller(c), id, time.UnixMilli(at), time.Duration(before)*time.Second, time.Duration(after)*time.Second)
	if err != nil {
		return err
	}
	if c.Query("format") != "m3u8" {
		return ok(c, w)
	}
	body := w.Playlist(func(sg video.Segment) string { return fmt.Sprintf("segments/%d", *sg.Seq) })
	c.Data(http.StatusOK, "application/vnd.apple.mpegurl", body)
	return nil
}

// videoSegment serves one recorded segment with its SM3 digest.
func (s *Server) videoSegment(c *gin.Context) error {
	return s.withCamera(c, func(svc *video.Service, id int64) error { return s.serveSegment(c, svc, id) })
}

func (s *Server) serveSegment(c *gin.Context, svc *video.Service, id int64) error {
	seq, err := pathID(c, "seq")
	if err != nil {
		return err
	}
	sg, rc, err := svc.OpenSegment(c.Request.Context(), caller(c), id, seq)
	if err != nil {
		return err
	}
	defer rc.Close()
	c.Header("X-Content-SM3", sg.SM3)
	// The length is the stored object's, which verify video compares with the log.
	c.DataFromReader(http.StatusOK, -1, "video/mp2t", rc, nil)
	return nil
}

// videoGaps lists a camera's coverage gaps over ?from=&to= (Unix ms).
func (s *Server) videoGaps(c *gin.Context) error {
	return s.withCamera(c, func(svc *video.Service, id int64) error { return s.serveGaps(c, svc, id) })
}

func (s *Server) serveGaps(c *gin.Context, svc *video.Service, id int64) error {
	from, err1 := queryInt(c, "from", 0)
	to, err2 := queryInt(c, "to", s.deps.Clock.Now().Add(time.Minute).UnixMilli())
	if err1 != nil || err2 != nil {
		return apperr.New(apperr.Invalid, "from 与 to 须为毫秒时间戳", "from and to are Unix milliseconds").WithField("from", "integer")
	}
	gaps, err := svc.Gaps(c.Request.Context(), caller(c), id, time.UnixMilli(from), time.UnixMilli(to))
	return reply(c, gaps, err, false)
}
