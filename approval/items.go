package approval

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// The item events.
const (
	EventItemSaved   = "approval.item_saved"
	EventItemRetired = "approval.item_retired"
)

var (
	itemCodeRe    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,39}$`)
	materialKeyRe = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
)

// SaveItem stores it as the next version of its code (version 1 for a new
// code), active, in one transaction with an approval.item_saved event, and
// returns the stored version. Cases filed before keep their version.
// Errors: Forbidden unless actor is an administrator; Invalid with a field
// error per problem (code, name, departmentOrgId, the limits, steps,
// materials); Conflict when another save of the same code won the race.
func (s *Service) SaveItem(ctx context.Context, actor accounts.Principal, it Item) (Item, error) {
	if err := requireAdmin(actor); err != nil {
		return Item{}, err
	}
	if err := validateItem(it); err != nil {
		return Item{}, err
	}
	it.State, it.CreatedAt = ItemActive, s.clock.Now().UTC().Truncate(time.Millisecond)
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.requireDepartment(ctx, it.DepartmentOrgID); err != nil {
			return err
		}
		if err := s.checkParts(ctx, it); err != nil {
			return err
		}
		prev, err := s.st.latestItem(ctx, it.Code, true)
		switch {
		case err == nil:
			it.Version = prev.Version + 1
		case apperr.Is(err, apperr.NotFound):
			it.Version = 1
		default:
			return err
		}
		if it.ID, err = s.st.insertItem(ctx, it, actor.UserID); err != nil {
			return err
		}
		return s.append(ctx, EventItemSaved, "item:"+it.Code, actor, map[string]any{
			"code": it.Code, "version": it.Version, "name": it.Name, "departmentOrgId": it.DepartmentOrgID,
			"legalDays": it.LegalDays, "promisedDays": it.PromisedDays, "materials": len(it.Materials)})
	})
	return it, err
}

// RetireItem stops new applications for code; cases filed keep going.
// Errors: Forbidden unless actor is an administrator; NotFound; Conflict
// (item_retired) when it is retired already.
func (s *Service) RetireItem(ctx context.Context, actor accounts.Principal, code string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		it, err := s.st.latestItem(ctx, code, true)
		if err != nil {
			return err
		}
		if it.State == ItemRetired {
			return retiredError(code)
		}
		if err := s.st.setItemState(ctx, it.ID, ItemRetired); err != nil {
			return err
		}
		return s.append(ctx, EventItemRetired, "item:"+code, actor, map[string]any{"code": code, "version": it.Version})
	})
}

// checkParts checks a composite item's parts: distinct active plain items
// whose every required material the composite lists, so that the one set
// of materials given on the joint file serves every department.
// Errors: Invalid invalid_parts; NotFound for an unknown part.
func (s *Service) checkParts(ctx context.Context, it Item) error {
	if len(it.Parts) == 0 {
		return nil
	}
	bad := func(en string) error {
		return apperr.New(apperr.Invalid, "联办事项的组成事项有误："+en, "the composite item's parts are invalid: "+en).
			WithField("parts", en).WithCode("invalid_parts")
	}
	if len(it.Parts) < 2 || len(it.Parts) > 10 {
		return bad("2 to 10 part items")
	}
	listed := map[string]bool{}
	for _, m := range it.Materials {
		listed[m.Key] = true
	}
	seen := map[string]bool{}
	for _, code := range it.Parts {
		if seen[code] || code == it.Code {
			return bad("each part once, and not the item itself: " + code)
		}
		seen[code] = true
		part, err := s.st.latestItem(ctx, code, false)
		if err != nil {
			return err
		}
		if part.State != ItemActive || len(part.Parts) > 0 {
			return bad("an active plain item: " + code)
		}
		for _, m := range part.Materials {
			if m.Required && !listed[m.Key] {
				return bad(code + " requires material " + m.Key + ", which the composite does not list")
			}
		}
	}
	return nil
}

func retiredError(code string) error {
	return apperr.Newf(apperr.Conflict, "审批事项 %s 已停用，不再受理申请", "approval item %s is retired and takes no applications", code).
		WithCode("item_retired")
}

// Item returns the newest version of code, active or retired. Errors:
// NotFound.
func (s *Service) Item(ctx context.Context, code string) (Item, error) {
	return s.st.latestItem(ctx, code, false)
}

// ItemVersion returns the stored version id (what a case applied under).
// Errors: NotFound.
func (s *Service) ItemVersion(ctx context.Context, id int64) (Item, error) {
	return s.st.itemByID(ctx, id)
}

// Items returns the newest version of each active item whose name or code
// contains q (every active item for an empty q), by code; withRetired adds
// the retired ones (for administrators).
func (s *Service) Items(ctx context.Context, q string, withRetired bool) ([]Item, error) {
	return s.st.currentItems(ctx, strings.TrimSpace(q), withRetired)
}

// validateItem checks an item before it is saved.
func validateItem(it Item) error {
	bad := apperr.New(apperr.Invalid, "审批事项有误", "the approval item is invalid").WithCode("invalid_item")
	n := 0
	field := func(name, msg string) { bad.WithField(name, msg); n++ }
	if !itemCodeRe.MatchString(it.Code) {
		field("code", "1-40 letters, digits or '-', starting with a letter or digit")
	}
	if l := utf8.RuneCountInString(strings.TrimSpace(it.Name)); l == 0 || l > 200 {
		field("name", "required, at most 200 characters")
	}
	if it.DepartmentOrgID <= 0 {
		field("departmentOrgId", "required: the department (审批部门) that decides")
	}
	if it.LegalDays < 1 || it.LegalDays > 365 {
		field("legalDays", "1 to 365 working days")
	}
	if it.PromisedDays < 1 || it.PromisedDays > it.LegalDays {
		field("promisedDays", "at least 1 and at most the legal limit")
	}
	if it.FeeFen < 0 || it.Visits < 0 || it.Visits > 10 {
		field("feeFen", "fee and visits must not be negative (visits at most 10)")
	}
	checkSteps(it, field)
	checkMaterials(it.Materials, field)
	if n > 0 {
		return bad
	}
	return nil
}

func checkSteps(it Item, field func(string, string)) {
	if len(it.Steps) == 0 || len(it.Steps) > 20 {
		field("steps", "1 to 20 steps (受理, 审查, 决定, 办结 …)")
		return
	}
	sum := 0
	for i, st := range it.Steps {
		if strings.TrimSpace(st.Name) == "" || st.Days < 0 {
			field(fmt.Sprintf("steps[%d]", i), "a name and a limit of 0 or more working days")
		}
		sum += st.Days
	}
	if sum > it.PromisedDays {
		field("steps", fmt.Sprintf("the steps' limits add up to %d working days, more than the promised %d", sum, it.PromisedDays))
	}
}

func checkMaterials(ms []Material, field func(string, string)) {
	seen := map[string]bool{}
	for i, m := range ms {
		name := fmt.Sprintf("materials[%d]", i)
		switch {
		case !materialKeyRe.MatchString(m.Key):
			field(name+".key", "1-40 lower-case letters, digits or '_'")
		case seen[m.Key]:
			field(name+".key", "listed twice: "+m.Key)
		case strings.TrimSpace(m.Name) == "":
			field(name+".name", "required")
		case m.Form != "electronic" && m.Form != "paper":
			field(name+".form", `"electronic" or "paper"`)
		}
		seen[m.Key] = true
	}
}
