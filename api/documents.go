package api

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Tender documents (issue 4, part 6). Agents upload; anyone signed in
// downloads, and each download is recorded; the published list shows names,
// sizes and SM3 digests only. Who downloaded, and how many, is served by
// one route (downloaders), which refuses everyone until the deadline.

// DocumentUploadLimit is the request body limit of the upload route: the
// largest document plus room for multipart framing.
const DocumentUploadLimit = bidding.MaxDocumentSize + 1<<20

// SM3Header carries a downloaded document's SM3 digest (lower-case hex).
const SM3Header = "X-Content-SM3"

// uploadDocument takes the file as a multipart/form-data part named "file"
// (its filename is the document's name) or as the raw request body with
// ?name=; either way it is streamed to the blob store, never buffered.
func (s *Server) uploadDocument(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		in, err := documentFromRequest(c)
		if err != nil {
			return err
		}
		doc, err := svc.UploadDocument(c.Request.Context(), caller(c), id, in)
		return reply(c, doc, err, true)
	})
}

func documentFromRequest(c *gin.Context) (bidding.DocumentUpload, error) {
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	in := bidding.DocumentUpload{Name: c.Query("name"), ContentType: ct, Body: c.Request.Body, Size: c.Request.ContentLength}
	if ct != "multipart/form-data" {
		if ct == "" {
			in.ContentType = "application/octet-stream"
		}
		return in, nil
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return in, apperr.Wrap(err, apperr.Invalid, "multipart 请求体无效", "invalid multipart body")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return in, apperr.New(apperr.Invalid, "缺少名为 file 的文件", "the body has no file part named file").WithField("file", "required")
		}
		if err != nil {
			return in, apperr.Wrap(err, apperr.Invalid, "multipart 请求体无效", "invalid multipart body")
		}
		if part.FormName() == "file" && part.FileName() != "" {
			if in.Name == "" {
				in.Name = part.FileName()
			}
			in.ContentType, _, _ = mime.ParseMediaType(part.Header.Get("Content-Type"))
			in.Body, in.Size = part, -1
			return in, nil
		}
		part.Close()
	}
}

// listDocuments lists a section's documents to a signed-in user.
func (s *Server) listDocuments(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		p := caller(c)
		docs, err := svc.ListDocuments(c.Request.Context(), &p, id)
		return reply(c, docs, err, false)
	})
}

// publicDocuments lists a published section's documents to anyone.
func (s *Server) publicDocuments(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		docs, err := svc.ListDocuments(c.Request.Context(), nil, id)
		return reply(c, docs, err, false)
	})
}

// downloadDocument records the download and streams the file with its
// length, name (RFC 6266 / RFC 5987 UTF-8 filename*) and SM3 digest.
func (s *Server) downloadDocument(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		d, err := svc.DownloadDocument(c.Request.Context(), caller(c), id, c.ClientIP())
		if err != nil {
			return err
		}
		defer d.Body.Close()
		ct := d.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h := c.Writer.Header()
		h.Set("Content-Type", ct)
		h.Set("Content-Length", strconv.FormatInt(d.Size, 10))
		h.Set("Content-Disposition", contentDisposition(d.Name))
		h.Set(SM3Header, d.SM3)
		h.Set("Cache-Control", "private, no-store")
		c.Status(http.StatusOK)
		_, err = io.Copy(c.Writer, d.Body)
		if err != nil {
			s.log.WarnContext(c.Request.Context(), "document download interrupted", "request_id", requestID(c), "document", id, "err", err)
		}
		return nil // the status is sent; a broken stream cannot become an error body
	})
}

// listDownloaders serves the downloader list and count after the deadline.
func (s *Server) listDownloaders(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		d, err := svc.Downloaders(c.Request.Context(), caller(c), id)
		return reply(c, d, err, false)
	})
}

// contentDisposition is an attachment header with an ASCII fallback name and
// the exact name as RFC 5987 UTF-8 filename*.
func contentDisposition(name string) string {
	var ascii, ext strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	const attrChar = "!#$&+-.^_`|~"
	for _, b := range []byte(name) {
		if b < 0x80 && (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte(attrChar, b) >= 0) {
			ext.WriteByte(b)
		} else {
			ext.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(b)|0x100, 16)[1:]))
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}
