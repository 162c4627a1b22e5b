package accounts

import (
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestUserPublicKey(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		admin := e.admin(t)
		dept := e.org(t, admin, OrgDepartment, "")
		sup := e.user(t, admin, "jiandu", dept.ID, RoleSupervisor)
		other := e.user(t, admin, "guanli", 0, RoleAdmin)
		supP := Principal{UserID: sup.ID, Roles: []Role{RoleSupervisor}}
		_, err := e.svc.UserPublicKey(e.ctx, sup.ID)
		wantKind(t, err, apperr.NotFound, "no_user_key")
		_, err = e.svc.SetUserPublicKey(e.ctx, Principal{UserID: other.ID, Roles: []Role{RoleAdmin}}, testKey1)
		wantKind(t, err, apperr.Forbidden, "")
		_, err = e.svc.SetUserPublicKey(e.ctx, supP, "not a key")
		wantKind(t, err, apperr.Invalid, "")
		first, err := e.svc.SetUserPublicKey(e.ctx, supP, testKey1)
		if err != nil {
			t.Fatal(err)
		}
		second, err := e.svc.SetUserPublicKey(e.ctx, supP, testKey2)
		if err != nil || second.KeyID == first.KeyID {
			t.Fatalf("replace: %+v %v", second, err)
		}
		if back, err := e.svc.UserPublicKey(e.ctx, sup.ID); err != nil || back.KeyID != second.KeyID || back.PEM != testKey2 {
			t.Fatalf("read back %+v %v", back, err)
		}
		evs := e.eventsOf(t, EventUserKeyRegistered)
		if len(evs) != 2 || !strings.Contains(evs[1].Payload, `"previousKeyId":"`+first.KeyID+`"`) || evs[1].Subject != userRef(sup.ID) {
			t.Fatalf("key events %+v", evs)
		}
	})
}
