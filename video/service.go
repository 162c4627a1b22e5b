package video

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// Service registers cameras, takes their uploads and answers the index.
type Service struct {
	db     *storage.DB
	events *eventlog.Service
	blobs  storage.Blobs
	clock  clock.Clock
	st     store
	// evalRoom checks that an evaluation room exists (evaluation's, set
	// by cmd with SetEvalRooms); nil accepts any id.
	evalRoom func(ctx context.Context, id int64) error
}

// SetEvalRooms gives the check that an evaluation room a camera names
// exists; it returns apperr.NotFound for one that does not.
func (s *Service) SetEvalRooms(check func(ctx context.Context, id int64) error) { s.evalRoom = check }

// New returns the video service; segments go to blobs.
func New(db *storage.DB, events *eventlog.Service, blobs storage.Blobs, c clock.Clock) *Service {
	return &Service{db: db, events: events, blobs: blobs, clock: c, st: store{db}}
}

// Camera kinds: where a camera hangs.
const (
	KindOpening    = "opening"    // an opening hall (开标室)
	KindEvaluation = "evaluation" // an evaluation room (评标室)
	KindWindow     = "window"     // a service window of the approval hall
)

// Camera is a registered camera. Its ingest token is never stored, only
// its SM3 hash.
type Camera struct {
	ID            int64      `json:"id" gorm:"column:id;primaryKey"`
	Room          string     `json:"room" gorm:"column:room"`
	Name          string     `json:"name" gorm:"column:name"`
	Kind          string     `json:"kind" gorm:"column:kind"`
	EvalRoomID    int64      `json:"evalRoomId,omitempty" gorm:"column:eval_room_id"`
	TokenSM3      string     `json:"-" gorm:"column:token_sm3"`
	TokenVersion  int        `json:"tokenVersion" gorm:"column:token_version"`
	CreatedAt     time.Time  `json:"createdAt" gorm:"column:created_at"`
	RotatedAt     time.Time  `json:"rotatedAt" gorm:"column:rotated_at"`
	LastSegmentAt *time.Time `json:"lastSegmentAt,omitempty" gorm:"column:last_segment_at"`
}

// TableName maps Camera to video_cameras.
func (Camera) TableName() string { return "video_cameras" }

// Credential is a camera with its ingest token, shown once when registered
// or rotated: the encoder sends it in the X-Camera-Token header.
type Credential struct {
	Camera Camera `json:"camera"`
	Token  string `json:"token"`
}

// CameraRequest registers a camera.
type CameraRequest struct {
	Room string `json:"room"` // e.g. "开标一室" or "opening-1"
	Name string `json:"name"` // e.g. "cam-1"
	Kind string `json:"kind"` // opening | evaluation | window
	// EvalRoomID is the evaluation room (评标室) an evaluation camera
	// watches: gaps during that room's sessions are warned about.
	EvalRoomID int64 `json:"evalRoomId,omitempty"`
}

// RegisterCamera registers a camera in a room and returns its first token.
// Only administrators register cameras. Errors: Forbidden, Invalid (empty
// or overlong room or name, unknown kind, an evaluation room named by a
// camera of another kind or that does not exist), Conflict (the room has a
// camera of that name), those of the room check and of storage.
func (s *Service) RegisterCamera(ctx context.Context, p accounts.Principal, req CameraRequest) (Credential, error) {
	if !p.Has(accounts.RoleAdmin) {
		return Credential{}, apperr.New(apperr.Forbidden, "只有管理员可以登记摄像机", "only an administrator registers cameras")
	}
	return s.register(ctx, p.Actor(), req)
}

func (s *Service) register(ctx context.Context, actor string, req CameraRequest) (Credential, error) {
	req.Room, req.Name = strings.TrimSpace(req.Room), strings.TrimSpace(req.Name)
	if req.Room == "" || len(req.Room) > 60 || req.Name == "" || len(req.Name) > 100 {
		return Credential{}, apperr.New(apperr.Invalid, "请填写房间和摄像机名称（房间不超过 60 字节，名称不超过 100 字节）",
			"give a room (at most 60 bytes) and a camera name (at most 100 bytes)").WithField("room", "required")
	}
	switch req.Kind {
	case KindOpening, KindEvaluation, KindWindow:
	default:
		return Credential{}, apperr.New(apperr.Invalid, "摄像机类型须为 opening、evaluation 或 window",
			"kind must be opening, evaluation or window").WithField("kind", "unknown")
	}
	if req.EvalRoomID < 0 || req.EvalRoomID > 0 && req.Kind != KindEvaluation {
		return Credential{}, apperr.New(apperr.Invalid, "只有评标室摄像机可以关联评标室", "only an evaluation camera names an evaluation room").WithField("evalRoomId", "evaluation cameras only")
	}
	if req.EvalRoomID > 0 && s.evalRoom != nil {
		if err := s.evalRoom(ctx, req.EvalRoomID); apperr.Is(err, apperr.NotFound) {
			return Credential{}, apperr.Newf(apperr.Invalid, "评标室 %d 不存在", "evaluation room %d does not exist", req.EvalRoomID).WithField("evalRoomId", "unknown")
		} else if err != nil {
			return Credential{}, err
		}
	}
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	secret := newSecret()
	c := Camera{Room: req.Room, Name: req.Name, Kind: req.Kind, EvalRoomID: req.EvalRoomID, TokenSM3: notary.SM3Hex([]byte(secret)),
		TokenVersion: 1, CreatedAt: now, RotatedAt: now}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.insertCamera(ctx, &c); err != nil {
			return err
		}
		_, err := s.events.Append(ctx, eventlog.Entry{Type: "video.camera_registered", Subject: c.subject(), Actor: actor,
			Payload: map[string]any{"room": c.Room, "name": c.Name, "kind": c.Kind, "evalRoomId": c.EvalRoomID}})
		return err
	})
	if err != nil {
		return Credential{}, err
	}
	return Credential{Camera: c, Token: token(c.ID, secret)}, nil
}

// RotateToken gives a camera a new token; the old one stops working at
// once. Errors: Forbidden (not an administrator), NotFound, those of storage.
func (s *Service) RotateToken(ctx context.Context, p accounts.Principal, id int64) (Credential, error) {
	if !p.Has(accounts.RoleAdmin) {
		return Credential{}, apperr.New(apperr.Forbidden, "只有管理员可以更换摄像机凭据", "only an administrator rotates camera tokens")
	}
	return s.rotate(ctx, p.Actor(), id)
}

// EnsureCamera is for the platform's own recorders, which no one signs in
// as (the demo's simulated cameras): it registers the camera of req's room
// and name, or gives the one already registered a new token, logged with
// actor (e.g. "system:demo-cameras"). No route reaches it. Errors: those
// of RegisterCamera but Forbidden, and Conflict for a camera of that room
// and name but of another kind.
func (s *Service) EnsureCamera(ctx context.Context, actor string, req CameraRequest) (Credential, error) {
	cams, err := s.st.cameras(ctx)
	if err != nil {
		return Credential{}, err
	}
	for _, c := range cams {
		if c.Room != strings.TrimSpace(req.Room) || c.Name != strings.TrimSpace(req.Name) {
			continue
		}
		if c.Kind != req.Kind || c.EvalRoomID != req.EvalRoomID {
			return Credential{}, apperr.Newf(apperr.Conflict, "摄像机 %s（房间 %s）已按另一类型登记", "camera %s of room %s is registered as another kind",
				c.Name, c.Room).WithField("name", "taken")
		}
		return s.rotate(ctx, actor, c.ID)
	}
	return s.register(ctx, actor, req)
}

func (s *Service) rotate(ctx context.Context, actor string, id int64) (Credential, error) {
	secret := newSecret()
	var c Camera
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.st.camera(ctx, id, true); err != nil {
			return err
		}
		c.TokenSM3, c.TokenVersion, c.RotatedAt = notary.SM3Hex([]byte(secret)), c.TokenVersion+1, s.clock.Now().UTC().Truncate(time.Millisecond)
		if err := s.st.saveToken(ctx, c); err != nil {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "video.camera_token_rotated", Subject: c.subject(), Actor: actor,
			Payload: map[string]any{"tokenVersion": c.TokenVersion}})
		return err
	})
	if err != nil {
		return Credential{}, err
	}
	return Credential{Camera: c, Token: token(c.ID, secret)}, nil
}

// Cameras lists every camera by room and name, for staff.
// Errors: Forbidden (not an administrator or supervisor), those of storage.
func (s *Service) Cameras(ctx context.Context, p accounts.Principal) ([]Camera, error) {
	if !p.Has(accounts.RoleAdmin) && !p.Has(accounts.RoleSupervisor) {
		return nil, apperr.New(apperr.Forbidden, "只有管理员和监督人员可以查看摄像机", "only administrators and supervisors see cameras")
	}
	return s.st.cameras(ctx)
}

// Authenticate returns the camera a token belongs to. Errors:
// Unauthenticated (malformed, unknown, or rotated away), those of storage.
func (s *Service) Authenticate(ctx context.Context, tok string) (Camera, error) {
	denied := apperr.New(apperr.Unauthenticated, "摄像机凭据无效或已更换", "the camera token is invalid or was rotated")
	idPart, secret, ok := strings.Cut(strings.TrimPrefix(tok, "cam_"), ".")
	id, err := strconv.ParseInt(idPart, 10, 64)
	if !ok || err != nil || !strings.HasPrefix(tok, "cam_") || len(secret) != 64 {
		return Camera{}, denied
	}
	c, err := s.st.camera(ctx, id, false)
	if apperr.Is(err, apperr.NotFound) {
		return Camera{}, denied
	}
	if err != nil {
		return Camera{}, err
	}
	if subtle.ConstantTimeCompare([]byte(c.TokenSM3), []byte(notary.SM3Hex([]byte(secret)))) != 1 {
		return Camera{}, denied
	}
	return c, nil
}

func (c Camera) subject() string { return "camera:" + strconv.FormatInt(c.ID, 10) }

func token(id int64, secret string) string { return "cam_" + strconv.FormatInt(id, 10) + "." + secret }

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}
