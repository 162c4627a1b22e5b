package evaluation

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Room is an evaluation room (评标室) and the networks its terminals use:
// the committee's requests must come from one of them.
type Room struct {
	ID        int64     `json:"id" gorm:"column:id;primaryKey"`
	Name      string    `json:"name" gorm:"column:name"`
	Location  string    `json:"location" gorm:"column:location"`
	Networks  []string  `json:"networks" gorm:"column:networks;serializer:json"` // CIDR prefixes, e.g. 10.20.30.0/24
	CreatedAt time.Time `json:"createdAt" gorm:"column:created_at"`
	UpdatedAt time.Time `json:"updatedAt" gorm:"column:updated_at"`
}

// TableName maps Room to its table.
func (Room) TableName() string { return "eval_rooms" }

// NewRoom is a room to create or replace.
type NewRoom struct {
	Name     string   `json:"name"`
	Location string   `json:"location"`
	Networks []string `json:"networks"`
}

func (in NewRoom) validate() ([]string, error) {
	bad := apperr.New(apperr.Invalid, "评标室信息有误", "the evaluation room is invalid")
	if n := len([]rune(strings.TrimSpace(in.Name))); n == 0 || n > 100 {
		bad.WithField("name", "1 to 100 characters")
	}
	if len([]rune(in.Location)) > 200 {
		bad.WithField("location", "at most 200 characters")
	}
	if len(in.Networks) == 0 || len(in.Networks) > 20 {
		bad.WithField("networks", "1 to 20 CIDR prefixes")
	}
	nets := make([]string, 0, len(in.Networks))
	for i, n := range in.Networks {
		p, err := netip.ParsePrefix(strings.TrimSpace(n))
		if err != nil {
			bad.WithField(fmt.Sprintf("networks[%d]", i), "not a CIDR prefix such as 10.20.30.0/24")
			continue
		}
		nets = append(nets, p.Masked().String())
	}
	if len(bad.Fields) > 0 {
		return nil, bad
	}
	return nets, nil
}

// contains reports whether ip (as the HTTP layer saw the client) is on one
// of the room's networks.
func (r Room) contains(ip string) bool {
	addr, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, n := range r.Networks {
		if p, err := netip.ParsePrefix(n); err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
}

func requireAdmin(actor accounts.Principal) error {
	if actor.UserID != 0 && actor.Has(accounts.RoleAdmin) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "只有平台管理员可以维护评标室", "only a platform administrator may keep evaluation rooms").WithCode("admin_required")
}

// CreateRoom adds an evaluation room. Errors: apperr.Forbidden unless an
// administrator; apperr.Invalid naming the bad field.
func (s *Service) CreateRoom(ctx context.Context, actor accounts.Principal, in NewRoom) (Room, error) {
	return s.saveRoom(ctx, actor, 0, in)
}

// UpdateRoom replaces room id's name, location and networks. Errors: as
// CreateRoom, and apperr.NotFound.
func (s *Service) UpdateRoom(ctx context.Context, actor accounts.Principal, id int64, in NewRoom) (Room, error) {
	if id == 0 {
		return Room{}, apperr.New(apperr.NotFound, "评标室不存在", "evaluation room not found")
	}
	return s.saveRoom(ctx, actor, id, in)
}

func (s *Service) saveRoom(ctx context.Context, actor accounts.Principal, id int64, in NewRoom) (Room, error) {
	if err := requireAdmin(actor); err != nil {
		return Room{}, err
	}
	nets, err := in.validate()
	if err != nil {
		return Room{}, err
	}
	r := Room{ID: id, Name: strings.TrimSpace(in.Name), Location: in.Location, Networks: nets, UpdatedAt: s.now()}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if id == 0 {
			r.CreatedAt = r.UpdatedAt
			if err := s.st.insert(ctx, &r); err != nil {
				return err
			}
		} else {
			cur, err := s.st.room(ctx, id)
			if err != nil {
				return err
			}
			r.CreatedAt = cur.CreatedAt
			if err := s.st.save(ctx, &r); err != nil {
				return err
			}
		}
		return s.log(ctx, "evaluation.room_saved", fmt.Sprintf("eval-room:%d", r.ID), actor.Actor(),
			map[string]any{"roomId": r.ID, "name": r.Name, "networks": r.Networks})
	})
	return r, err
}

// Rooms lists the evaluation rooms, to staff.
func (s *Service) Rooms(ctx context.Context) ([]Room, error) { return s.st.rooms(ctx) }

// Room reads one evaluation room. Errors: NotFound, those of storage.
func (s *Service) Room(ctx context.Context, id int64) (Room, error) { return s.st.room(ctx, id) }
