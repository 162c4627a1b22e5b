package evaluation

import (
	"fmt"
	"regexp"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Method is the evaluation method.
type Method string

// The evaluation methods.
const (
	Comprehensive Method = "comprehensive" // 综合评分法: technical, commercial and price scores
	LowestPrice   Method = "lowest_price"  // 经评审的最低投标价法: the lowest price among bids that pass
)

// Part is the part of the evaluation a criterion belongs to.
type Part string

// The parts.
const (
	Qualification Part = "qualification" // 资格 / 符合性审查: pass or fail
	Technical     Part = "technical"     // 技术
	Commercial    Part = "commercial"    // 商务
)

// Kind is how a criterion is judged.
type Kind string

// The criterion kinds.
const (
	PassFail   Kind = "pass_fail"  // qualification: pass or fail, a written reason for a fail
	Objective  Kind = "objective"  // one of fixed point values; every expert must agree
	Subjective Kind = "subjective" // any value from 0 to full marks; averaged
)

// Criterion is one line of the scheme (评分标准).
type Criterion struct {
	Code      string   `json:"code"` // unique in the scheme, e.g. "T1"
	Name      string   `json:"name"`
	Part      Part     `json:"part"`
	Kind      Kind     `json:"kind"`
	FullMarks Points   `json:"fullMarks,omitempty"` // 0 for pass/fail
	Values    []Points `json:"values,omitempty"`    // the objective criterion's allowed values
	Guidance  string   `json:"guidance,omitempty"`
}

// Scheme is a section's evaluation scheme (评标办法). It is kept while the
// section is a draft and frozen when the announcement is published, like
// the rulebook it starts from.
type Scheme struct {
	SectionID    int64       `json:"sectionId"`
	Method       Method      `json:"method"`
	PriceFormula Formula     `json:"priceFormula"`
	PriceMarks   Points      `json:"priceMarks"`            // full marks of the price score (comprehensive)
	DeductAbove  Points      `json:"deductAbove,omitempty"` // average_deviation: points per 1% above the base
	DeductBelow  Points      `json:"deductBelow,omitempty"` // average_deviation: points per 1% below the base
	DeviationPct int         `json:"deviationPct"`          // a subjective score further than this % of full marks from the mean is flagged
	DropExtremes bool        `json:"dropExtremes"`          // drop highest and lowest subjective scores in committees over 5
	Criteria     []Criterion `json:"criteria"`
	Default      bool        `json:"default,omitempty"` // the rulebook's default, since none was set before publication
}

var codePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,19}$`)

// DefaultDeviationPct is the deviation that flags a subjective score (畸高
// 畸低) when the scheme names none: 30 % of the item's full marks.
const DefaultDeviationPct = 30

// DefaultScheme is the scheme a section gets from its rulebook when the
// agent kept none: qualification checks, a technical and a commercial part
// and the rulebook's price formula, 100 points in all for comprehensive
// scoring.
func DefaultScheme(sectionID int64, rb bidding.Rulebook) Scheme {
	s := Scheme{SectionID: sectionID, Method: Method(rb.EvaluationMethod), PriceFormula: Formula(rb.PriceFormula),
		DeviationPct: DefaultDeviationPct, DropExtremes: rb.DropExtremeSubjective, Default: true}
	if s.Method != LowestPrice {
		s.Method = Comprehensive
	}
	if !s.PriceFormula.valid() {
		s.PriceFormula = AverageDeviation
	}
	s.Criteria = []Criterion{
		{Code: "Q1", Name: "营业执照及资质证书", Part: Qualification, Kind: PassFail, Guidance: "具备招标文件要求的资质等级"},
		{Code: "Q2", Name: "投标函签署及投标保证金", Part: Qualification, Kind: PassFail, Guidance: "投标函经法定代表人或其授权代理人签字并加盖单位章"},
		{Code: "Q3", Name: "实质性响应", Part: Qualification, Kind: PassFail, Guidance: "工期、质量等实质性要求均已响应"},
	}
	if s.Method == Comprehensive {
		s.PriceMarks = 4000
		if s.PriceFormula == AverageDeviation {
			s.DeductAbove, s.DeductBelow = 100, 50
		}
		s.Criteria = append(s.Criteria,
			Criterion{Code: "T1", Name: "施工组织设计", Part: Technical, Kind: Subjective, FullMarks: 2500, Guidance: "方案科学合理、针对性强"},
			Criterion{Code: "T2", Name: "质量与安全保证措施", Part: Technical, Kind: Subjective, FullMarks: 1500},
			Criterion{Code: "T3", Name: "项目经理资格", Part: Technical, Kind: Objective, FullMarks: 500, Values: []Points{0, 300, 500},
				Guidance: "一级建造师 5 分，二级建造师 3 分，其他 0 分"},
			Criterion{Code: "C1", Name: "企业业绩", Part: Commercial, Kind: Objective, FullMarks: 1000, Values: []Points{0, 500, 1000},
				Guidance: "近三年类似业绩 2 项及以上 10 分，1 项 5 分"},
			Criterion{Code: "C2", Name: "信用评价", Part: Commercial, Kind: Subjective, FullMarks: 500},
		)
	}
	return s
}

// validate checks a scheme; the fields of the error name the bad lines.
func (s Scheme) validate() error {
	bad := apperr.New(apperr.Invalid, "评标办法有误", "the evaluation scheme is invalid")
	if s.Method != Comprehensive && s.Method != LowestPrice {
		bad.WithField("method", "comprehensive or lowest_price")
	}
	if !s.PriceFormula.valid() {
		bad.WithField("priceFormula", "lowest_base or average_deviation")
	}
	if s.DeviationPct < 1 || s.DeviationPct > 100 {
		bad.WithField("deviationPct", "1 to 100")
	}
	if s.PriceMarks < 0 || s.DeductAbove < 0 || s.DeductBelow < 0 {
		bad.WithField("priceMarks", "not negative")
	}
	total, quals := s.PriceMarks, 0
	seen := map[string]bool{}
	for i, c := range s.Criteria {
		f := fmt.Sprintf("criteria[%d]", i)
		if msg := c.problem(s.Method); msg != "" {
			bad.WithField(f, msg)
		}
		if seen[c.Code] {
			bad.WithField(f+".code", "duplicate code")
		}
		seen[c.Code] = true
		total += c.FullMarks
		if c.Part == Qualification {
			quals++
		}
	}
	if quals == 0 {
		bad.WithField("criteria", "at least one qualification (pass/fail) criterion")
	}
	if s.Method == Comprehensive && total != 10000 {
		bad.WithField("criteria", fmt.Sprintf("technical, commercial and price marks must total 100, not %s", total))
	}
	if len(s.Criteria) > 100 {
		bad.WithField("criteria", "at most 100")
	}
	if len(bad.Fields) > 0 {
		return bad
	}
	return nil
}

// problem names what is wrong with one criterion, or "".
func (c Criterion) problem(m Method) string {
	switch {
	case !codePattern.MatchString(c.Code):
		return "code: a letter then up to 19 letters, digits, - or _"
	case c.Name == "" || len([]rune(c.Name)) > 100:
		return "name: 1 to 100 characters"
	case len([]rune(c.Guidance)) > 1000:
		return "guidance: at most 1000 characters"
	case c.Part == Qualification && c.Kind != PassFail, c.Part != Qualification && c.Kind == PassFail:
		return "pass/fail criteria are the qualification part, and only they"
	case c.Part != Qualification && c.Part != Technical && c.Part != Commercial:
		return "part: qualification, technical or commercial"
	case c.Kind == PassFail && (c.FullMarks != 0 || len(c.Values) > 0):
		return "a pass/fail criterion has no marks"
	case c.Kind != PassFail && m == LowestPrice:
		return "the lowest-price method scores nothing: only pass/fail criteria"
	case c.Kind != PassFail && c.FullMarks <= 0:
		return "fullMarks must be positive"
	case c.Kind == Subjective && len(c.Values) > 0:
		return "a subjective criterion takes any value up to full marks: no values"
	case c.Kind == Objective && !objectiveValuesOK(c):
		return "values: distinct, from 0 to full marks, including full marks"
	case c.Kind != PassFail && c.Kind != Objective && c.Kind != Subjective:
		return "kind: pass_fail, objective or subjective"
	}
	return ""
}

func objectiveValuesOK(c Criterion) bool {
	if len(c.Values) < 2 || len(c.Values) > 20 {
		return false
	}
	seen, top := map[Points]bool{}, false
	for _, v := range c.Values {
		if v < 0 || v > c.FullMarks || seen[v] {
			return false
		}
		seen[v], top = true, top || v == c.FullMarks
	}
	return top
}

// allows reports whether v is a valid score for c.
func (c Criterion) allows(v Points) bool {
	switch c.Kind {
	case Subjective:
		return v >= 0 && v <= c.FullMarks
	case Objective:
		for _, x := range c.Values {
			if x == v {
				return true
			}
		}
	}
	return false
}

// scored returns the criteria experts score (technical and commercial).
func (s Scheme) scored() []Criterion {
	var out []Criterion
	for _, c := range s.Criteria {
		if c.Kind != PassFail {
			out = append(out, c)
		}
	}
	return out
}

// qualifications returns the pass/fail criteria.
func (s Scheme) qualifications() []Criterion {
	var out []Criterion
	for _, c := range s.Criteria {
		if c.Kind == PassFail {
			out = append(out, c)
		}
	}
	return out
}

func (s Scheme) criterion(code string) (Criterion, bool) {
	for _, c := range s.Criteria {
		if c.Code == code {
			return c, true
		}
	}
	return Criterion{}, false
}
