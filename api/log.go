package api

import (
	"encoding/base64"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// The transparency log's public routes (DESIGN.md §3, eventlog/LOG.md).
// Every answer can be checked offline against a signed tree head, so none
// needs a session; only signing a head on demand is restricted.

// LogEventPage is a page of events with their leaf hashes. Next is the seq
// to ask for next; TreeSize is the tree size the page was read against (no
// event beyond it is returned).
type LogEventPage struct {
	Events   []eventlog.Event `json:"events"`
	Next     uint64           `json:"next"`
	TreeSize uint64           `json:"treeSize"`
}

// LogHead is a signed tree head: RootHash is hex, Timestamp Unix
// milliseconds, Signature standard base64 of the SM2 ASN.1 signature over
// the message of notary.TreeHead.SignedMessage, KeyID the hex SM3 of the
// platform public key. ID is the head's position in signing order.
type LogHead struct {
	ID        int64  `json:"id"`
	TreeSize  uint64 `json:"treeSize"`
	RootHash  string `json:"rootHash"`
	Timestamp int64  `json:"timestamp"`
	KeyID     string `json:"keyId"`
	Signature string `json:"signature"`
}

// LogHeadPage is a page of signed tree heads; Next is the id to ask for next.
type LogHeadPage struct {
	Heads []LogHead `json:"heads"`
	Next  int64     `json:"next"`
}

// LogInclusionProof proves that event Seq (leaf LeafIndex = Seq-1) is in the
// tree of TreeSize events; hashes are hex, Path is the RFC 6962 audit path.
type LogInclusionProof struct {
	Seq       uint64   `json:"seq"`
	LeafIndex uint64   `json:"leafIndex"`
	TreeSize  uint64   `json:"treeSize"`
	LeafHash  string   `json:"leafHash"`
	Path      []string `json:"path"`
}

// LogConsistencyProof proves that the tree of First events is a prefix of
// the tree of Second events (RFC 6962 consistency proof, hex hashes).
type LogConsistencyProof struct {
	First  uint64   `json:"first"`
	Second uint64   `json:"second"`
	Path   []string `json:"path"`
}

// LogKey is the platform's SM2 public key (PEM) that signs tree heads.
type LogKey struct {
	PublicKey string `json:"publicKey"`
	KeyID     string `json:"keyId"`
}

// tree returns the transparency log, or apperr.Unavailable when the server
// was built without one.
func (s *Server) tree() (*eventlog.Tree, error) {
	if s.deps.Tree == nil {
		return nil, apperr.New(apperr.Unavailable, "透明日志未启用", "the transparency log is not configured").WithCode("no_log")
	}
	return s.deps.Tree, nil
}

// logEvents serves ?from= (seq, default 1) and ?limit= (1..1000, default
// 100), each event screened for the caller (screenEvents): a secret or
// out-of-scope event keeps its seq and leaf hash, so the page still
// verifies against the signed heads.
func (s *Server) logEvents(c *gin.Context) error {
	from, limit, err := eventRange(c)
	if err != nil {
		return err
	}
	t, err := s.tree()
	if err != nil {
		return err
	}
	evs, size, err := t.Events(c.Request.Context(), from, int(limit))
	if err != nil {
		return err
	}
	if evs, err = s.screenEvents(c.Request.Context(), caller(c), evs); err != nil {
		return err
	}
	next := from
	if len(evs) > 0 {
		next = uint64(evs[len(evs)-1].Seq) + 1
	}
	return ok(c, LogEventPage{Events: evs, Next: next, TreeSize: size})
}

// eventRange reads the ?from= and ?limit= of the event routes.
func eventRange(c *gin.Context) (from, limit uint64, err error) {
	q := queryParams{c: c}
	from = q.uint("from", 1, false)
	limit = q.uint("limit", 100, false)
	if limit < 1 || limit > eventlog.MaxPage {
		q.bad("limit", "must be between 1 and 1000")
	}
	if from < 1 {
		q.bad("from", "must be at least 1")
	}
	return from, limit, q.firstError(nil)
}

// logHead serves the latest head; 404 (code "no_tree_head") before the first.
func (s *Server) logHead(c *gin.Context) error {
	t, err := s.tree()
	if err != nil {
		return err
	}
	h, err := t.LatestHead(c.Request.Context())
	if err != nil {
		return err
	}
	return ok(c, headView(h))
}

// logHeads serves heads with id >= ?from= (default 1), ?limit= (1..1000).
func (s *Server) logHeads(c *gin.Context) error {
	q := queryParams{c: c}
	from := q.uint("from", 1, false)
	limit := q.uint("limit", 100, false)
	if limit < 1 || limit > eventlog.MaxPage {
		q.bad("limit", "must be between 1 and 1000")
	}
	t, err := s.tree()
	if err := q.firstError(err); err != nil {
		return err
	}
	heads, err := t.Heads(c.Request.Context(), int64(from), int(limit))
	if err != nil {
		return err
	}
	page := LogHeadPage{Heads: make([]LogHead, len(heads)), Next: int64(from)}
	for i, h := range heads {
		page.Heads[i] = headView(h)
		page.Next = h.ID + 1
	}
	return ok(c, page)
}

// signLogHead answers a verifier that wants a head of the whole log: the
// latest (200) when it covers the log, else one signed now (201), so that
// asking again and again signs nothing more.
func (s *Server) signLogHead(c *gin.Context) error {
	t, err := s.tree()
	if err != nil {
		return err
	}
	h, signed, err := t.SignHeadIfBehind(c.Request.Context())
	if err != nil {
		return err
	}
	if !signed {
		return ok(c, headView(h))
	}
	return created(c, headView(h))
}

// logInclusion serves ?seq= (required) and ?size= (default: current size).
func (s *Server) logInclusion(c *gin.Context) error {
	q := queryParams{c: c}
	seq := q.uint("seq", 0, true)
	size := q.uint("size", 0, false)
	t, err := s.tree()
	if err := q.firstError(err); err != nil {
		return err
	}
	if size, err = sizeOrCurrent(c, t, "size", size); err != nil {
		return err
	}
	p, err := t.InclusionProof(c.Request.Context(), seq, size)
	if err != nil {
		return err
	}
	return ok(c, LogInclusionProof{Seq: seq, LeafIndex: p.LeafIndex, TreeSize: p.TreeSize, LeafHash: p.LeafHash.String(), Path: hexes(p.Path)})
}

// logConsistency serves ?first= (required) and ?second= (default: current).
func (s *Server) logConsistency(c *gin.Context) error {
	q := queryParams{c: c}
	first := q.uint("first", 0, true)
	second := q.uint("second", 0, false)
	t, err := s.tree()
	if err := q.firstError(err); err != nil {
		return err
	}
	if second, err = sizeOrCurrent(c, t, "second", second); err != nil {
		return err
	}
	p, err := t.ConsistencyProof(c.Request.Context(), first, second)
	if err != nil {
		return err
	}
	return ok(c, LogConsistencyProof{First: p.First, Second: p.Second, Path: hexes(p.Path)})
}

// logKey serves the platform public key; 503 when the server has none.
func (s *Server) logKey(c *gin.Context) error {
	t, err := s.tree()
	if err != nil {
		return err
	}
	pub := t.PublicKey()
	if pub == nil {
		return apperr.New(apperr.Unavailable, "未配置平台签名密钥", "no platform signing key is configured").WithCode("no_signing_key")
	}
	c.Header("Cache-Control", "public, max-age=300")
	return ok(c, LogKey{PublicKey: pub.PEM, KeyID: pub.ID})
}

// sizeOrCurrent returns the size given in parameter name, or the current
// tree size when it was left out.
func sizeOrCurrent(c *gin.Context, t *eventlog.Tree, name string, size uint64) (uint64, error) {
	if c.Query(name) != "" {
		return size, nil
	}
	return t.Size(c.Request.Context())
}

func headView(h eventlog.Head) LogHead {
	return LogHead{ID: h.ID, TreeSize: h.TreeSize, RootHash: h.RootHash.String(), Timestamp: h.Timestamp,
		KeyID: h.KeyID, Signature: base64.StdEncoding.EncodeToString(h.Signature)}
}

func hexes(hs []notary.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

// queryParams reads unsigned integer query parameters, collecting every
// bad one into one apperr.Invalid with a field error each.
type queryParams struct {
	c   *gin.Context
	err *apperr.Error
}

func (q *queryParams) uint(name string, def uint64, required bool) uint64 {
	raw := q.c.Query(name)
	if raw == "" {
		if required {
			q.bad(name, "required")
		}
		return def
	}
	v, err := strconv.ParseUint(raw, 10, 63)
	if err != nil {
		q.bad(name, "must be a non-negative integer")
	}
	return v
}

func (q *queryParams) bad(name, problem string) {
	if q.err == nil {
		q.err = apperr.New(apperr.Invalid, "查询参数有误", "bad query parameters")
	}
	q.err.WithField(name, problem)
}

// firstError returns the parameter error, else other.
func (q *queryParams) firstError(other error) error {
	if q.err != nil {
		return q.err
	}
	return other
}
