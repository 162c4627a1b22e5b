package video

import (
	"context"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

func TestRegisterCamera(t *testing.T) {
	forEachBackend(t, func() clock.Clock { return clock.System{} }, func(t *testing.T, e *env) {
		ctx := context.Background()
		// The evaluation domain's room lookup, as cmd wires it: room 2 exists.
		e.svc.SetEvalRooms(func(_ context.Context, id int64) error {
			if id == 2 {
				return nil
			}
			return apperr.New(apperr.NotFound, "评标室不存在", "evaluation room not found")
		})
		agent := accounts.Principal{UserID: 5, Roles: []accounts.Role{accounts.RoleAgent}}
		cases := []struct {
			name string
			who  accounts.Principal
			req  CameraRequest
			kind apperr.Kind
			says string
		}{
			{"not an admin", agent, CameraRequest{Room: "开标一室", Name: "cam-1", Kind: KindOpening}, apperr.Forbidden, "administrator"},
			{"no room", admin, CameraRequest{Name: "cam-1", Kind: KindOpening}, apperr.Invalid, "room"},
			{"unknown kind", admin, CameraRequest{Room: "开标一室", Name: "cam-1", Kind: "lobby"}, apperr.Invalid, "kind"},
			{"eval room on an opening camera", admin, CameraRequest{Room: "开标一室", Name: "cam-1", Kind: KindOpening, EvalRoomID: 2}, apperr.Invalid, "evaluation camera"},
			{"unknown eval room", admin, CameraRequest{Room: "评标九室", Name: "cam-1", Kind: KindEvaluation, EvalRoomID: 99}, apperr.Invalid, "room 99 does not exist"},
		}
		for _, c := range cases {
			if _, err := e.svc.RegisterCamera(ctx, c.who, c.req); !apperr.Is(err, c.kind) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("%s: %v, want %v saying %q", c.name, err, c.kind, c.says)
			}
		}
		cred, err := e.svc.RegisterCamera(ctx, admin, CameraRequest{Room: "评标二室", Name: "cam-1", Kind: KindEvaluation, EvalRoomID: 2})
		if err != nil || cred.Camera.EvalRoomID != 2 || !strings.HasPrefix(cred.Token, "cam_") {
			t.Fatalf("%+v %v", cred, err)
		}
		if _, err := e.svc.RegisterCamera(ctx, admin, CameraRequest{Room: "评标二室", Name: "cam-1", Kind: KindEvaluation}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("the same name twice in a room: %v", err)
		}
		cams, err := e.svc.Cameras(ctx, admin)
		if err != nil || len(cams) != 1 || cams[0].TokenSM3 == "" {
			t.Fatalf("cameras %+v %v", cams, err)
		}
		if _, err := e.svc.Cameras(ctx, agent); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("an agent listed cameras: %v", err)
		}
	})
}
