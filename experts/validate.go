package experts

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// NewExpert is what an administrator (or an import row) gives for one
// expert. Phones are tried in order by the call campaign.
type NewExpert struct {
	Name          string     `json:"name"`
	IDNumber      string     `json:"idNumber"`
	Phones        []string   `json:"phones"`
	EmployerUSCC  string     `json:"employerUscc"`
	EmployerName  string     `json:"employerName"`
	EmployedSince *time.Time `json:"employedSince,omitempty"` // nil: unknown, treated as always
	Region        string     `json:"region"`                  // 6-digit administrative division code
	Title         string     `json:"title"`
	Level         string     `json:"level"`
	Category      Category   `json:"category"`
	Specialties   []string   `json:"specialties"` // codes such as A040303
	PastEmployers []PastJob  `json:"pastEmployers,omitempty"`
}

// PastJob is a former employer with the dates the expert worked there.
type PastJob struct {
	EmployerUSCC string    `json:"employerUscc"`
	EmployerName string    `json:"employerName"`
	From         time.Time `json:"from"`
	Until        time.Time `json:"until"`
}

var (
	specialtyRe = regexp.MustCompile(`^[ABC][0-9]{6}$`)
	prefixRe    = regexp.MustCompile(`^[ABC]([0-9]{2}){0,3}$`)
	regionRe    = regexp.MustCompile(`^[0-9]{6}$`)
	phoneRe     = regexp.MustCompile(`^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$`)
)

// ValidSpecialty reports whether code is a full specialty code of the
// national classification: A (engineering), B (goods) or C (services)
// followed by three two-digit levels, e.g. A040303.
func ValidSpecialty(code string) bool { return specialtyRe.MatchString(code) }

// ValidSpecialtyPrefix reports whether p is a specialty code or a prefix of
// one at a level boundary (A, A04, A0403, A040303).
func ValidSpecialtyPrefix(p string) bool { return prefixRe.MatchString(p) }

// normalize trims the fields and upper-cases codes.
func (n *NewExpert) normalize() {
	n.Name, n.IDNumber = strings.TrimSpace(n.Name), strings.ToUpper(strings.TrimSpace(n.IDNumber))
	n.EmployerUSCC, n.EmployerName = strings.ToUpper(strings.TrimSpace(n.EmployerUSCC)), strings.TrimSpace(n.EmployerName)
	n.Region, n.Title, n.Level = strings.TrimSpace(n.Region), strings.TrimSpace(n.Title), strings.TrimSpace(n.Level)
	n.Category = Category(strings.ToLower(strings.TrimSpace(string(n.Category))))
	for i := range n.Phones {
		n.Phones[i] = strings.TrimSpace(n.Phones[i])
	}
	for i := range n.Specialties {
		n.Specialties[i] = strings.ToUpper(strings.TrimSpace(n.Specialties[i]))
	}
}

// validate returns apperr.Invalid with one field error per problem.
func (n *NewExpert) validate() error {
	n.normalize()
	bad := apperr.New(apperr.Invalid, "专家信息不完整或有误", "the expert's details are incomplete or wrong").WithCode("invalid_expert")
	if n.Name == "" || utf8.RuneCountInString(n.Name) > 50 {
		bad.WithField("name", "required, at most 50 characters")
	}
	if !accounts.ValidIDNumber(n.IDNumber) {
		bad.WithField("idNumber", "an 18-character resident ID number with a valid check character")
	}
	if len(n.Phones) == 0 || len(n.Phones) > 3 {
		bad.WithField("phones", "one to three phone numbers")
	}
	for _, p := range n.Phones {
		if !phoneRe.MatchString(p) {
			bad.WithField("phones", "a mobile (11 digits) or landline number with area code")
		}
	}
	if accounts.ValidUSCC(n.EmployerUSCC) != nil {
		bad.WithField("employerUscc", "the employer's 18-character unified social credit code")
	}
	if n.EmployerName == "" || utf8.RuneCountInString(n.EmployerName) > 200 {
		bad.WithField("employerName", "required, at most 200 characters")
	}
	if !regionRe.MatchString(n.Region) {
		bad.WithField("region", "a 6-digit administrative division code")
	}
	if utf8.RuneCountInString(n.Title) > 50 || utf8.RuneCountInString(n.Level) > 20 {
		bad.WithField("title", "title at most 50, level at most 20 characters")
	}
	if !n.Category.valid() {
		bad.WithField("category", "technical or economic")
	}
	if len(n.Specialties) == 0 || len(n.Specialties) > 10 {
		bad.WithField("specialties", "one to ten specialty codes")
	}
	for _, c := range n.Specialties {
		if !ValidSpecialty(c) {
			bad.WithField("specialties", "codes like A040303: A, B or C and six digits")
		}
	}
	for _, j := range n.PastEmployers {
		if accounts.ValidUSCC(strings.ToUpper(j.EmployerUSCC)) != nil || !j.Until.After(j.From) {
			bad.WithField("pastEmployers", "each with a valid credit code and from < until")
		}
	}
	if len(bad.Fields) > 0 {
		return bad
	}
	return nil
}
