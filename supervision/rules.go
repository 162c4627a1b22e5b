package supervision

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Rule is one thing supervision watches: a stable id, what it means, the
// law that sets it, and its thresholds.
type Rule struct {
	ID        string `json:"id" yaml:"-"`
	TitleZh   string `json:"titleZh" yaml:"-"`
	TitleEn   string `json:"titleEn" yaml:"-"`
	Basis     string `json:"basis" yaml:"-"`
	Unit      string `json:"unit" yaml:"-"` // workdays, days, minutes, or count (Limit-th occurrence raises)
	Limit     int    `json:"limit" yaml:"limit"`
	FromEvent bool   `json:"fromEvent" yaml:"-"` // the limit comes from the case or section itself (Limit unused)
}

// The rule ids.
const (
	RuleCasePromised  = "A-CASE-PROMISED"     // an accepted case against its promised limit
	RuleCasePreReview = "A-CASE-PREREVIEW"    // a submitted case's pre-review (预审)
	RuleOpeningLate   = "B-OPENING-LATE"      // the opening not started after the deadline
	RulePublicityLate = "B-PUBLICITY-LATE"    // candidates not published after the report
	RuleContractLate  = "B-CONTRACT-LATE"     // the contract not signed after the award notice
	RuleDecryptFailed = "B-DECRYPT-FAILED"    // a bid the platform could not decrypt, or revoked at opening
	RuleDeviation     = "B-SCORE-DEVIATION"   // a score flagged as deviating (畸高畸低)
	RuleRedraw        = "B-EXPERT-REDRAW"     // experts drawn again and again for one section
	RuleBidReplaced   = "B-BID-REPLACED"      // one bidder's bid replaced many times
	RuleNoReason      = "A-REFUSED-NO-REASON" // a refusal without a written reason
	RuleMissingAgain  = "A-MISSING-AGAIN"     // missing materials asked for more than once
	RuleTendererFails = "B-TENDERER-FAILS"    // one tenderer's sections failing (流标) again and again
	RuleVideoGap      = "B-VIDEO-GAP"         // an evaluation room's camera silent during a session
	RuleComplaintFile = "C-COMPLAINT-FILE"    // the complainant's window after its objection (days; a window, not a timer)
	RuleComplaintAcc  = "C-COMPLAINT-ACCEPT"  // a complaint's acceptance decided in time
	RuleComplaintDec  = "C-COMPLAINT-DECIDE"  // an accepted complaint decided in time
)

// Rules is the supervision configuration: the light thresholds shared by
// every time limit, the answer limit of a warning, and each rule's limit.
type Rules struct {
	// YellowUsedPercent: a time limit turns yellow when this share of it
	// is used (DESIGN.md: 80).
	YellowUsedPercent int `json:"yellowUsedPercent" yaml:"yellow_used_percent"`
	// YellowDaysLeft: or when this many (working) days are left (1).
	YellowDaysLeft int `json:"yellowDaysLeft" yaml:"yellow_days_left"`
	// AnswerWorkdays: the office explains or corrects a warning within
	// this many working days, else it escalates.
	AnswerWorkdays int              `json:"answerWorkdays" yaml:"answer_workdays"`
	Rule           map[string]*Rule `json:"-" yaml:"rules"`
	// Efficiency holds the efficiency index's weights and grade bounds.
	Efficiency Efficiency `json:"efficiency"`
	// Patterns holds the thresholds of the signals over a window of
	// sections (陪标, 标王).
	Patterns Patterns `json:"patterns"`
}

// Efficiency is how the efficiency index (效能指数) weighs its parts, each
// scored 0..100, and where its grades begin.
type Efficiency struct {
	OnTime       int `json:"onTime"`       // weight of the on-time rate
	TimeUsed     int `json:"timeUsed"`     // weight of the time used against the promised limit
	Warnings     int `json:"warnings"`     // weight of warnings per case
	Red          int `json:"red"`          // weight of red lights per case
	Satisfaction int `json:"satisfaction"` // weight of the ratings (一件一评)
	Complaints   int `json:"complaints"`   // weight of complaints per case
	Excellent    int `json:"excellent"`    // 优秀 from this score
	Good         int `json:"good"`         // 良好 from this score
	Pass         int `json:"pass"`         // 合格 from this score; below: 不合格
}

// DefaultRules returns the rulebook's thresholds.
func DefaultRules() Rules {
	r := Rules{YellowUsedPercent: 80, YellowDaysLeft: 1, AnswerWorkdays: 3, Rule: map[string]*Rule{},
		Efficiency: Efficiency{OnTime: 40, TimeUsed: 15, Warnings: 10, Red: 15, Satisfaction: 15, Complaints: 5, Excellent: 90, Good: 80, Pass: 60},
		Patterns:   defaultPatterns()}
	for _, x := range []Rule{
		{ID: RuleCasePromised, TitleZh: "办件超过承诺时限", TitleEn: "case past its promised time limit",
			Basis: "《行政许可法》第四十二条；政务服务承诺时限", Unit: "workdays", FromEvent: true},
		{ID: RuleCasePreReview, TitleZh: "预审未在时限内完成", TitleEn: "pre-review not done in time",
			Basis: "《行政许可法》第三十二条", Unit: "workdays", Limit: 1},
		{ID: RuleOpeningLate, TitleZh: "投标截止后未按时开标", TitleEn: "opening not started after the bid deadline",
			Basis: "《招标投标法》第三十四条；《电子招标投标办法》第二十九条", Unit: "minutes", Limit: 5},
		{ID: RulePublicityLate, TitleZh: "评标报告后未按时公示中标候选人", TitleEn: "candidates not published in time after the report",
			Basis: "《招标投标法实施条例》第五十四条", Unit: "days", Limit: 3},
		{ID: RuleContractLate, TitleZh: "中标通知书发出后未按时签订合同", TitleEn: "contract not signed in time after the award notice",
			Basis: "《招标投标法》第四十六条", Unit: "days", Limit: 30},
		{ID: RuleDecryptFailed, TitleZh: "开标解密异常", TitleEn: "bid decryption failed at the opening",
			Basis: "《电子招标投标办法》第三十一条", Unit: "count", Limit: 1},
		{ID: RuleDeviation, TitleZh: "评分畸高畸低", TitleEn: "score deviating from the committee",
			Basis: "《评标委员会和评标方法暂行规定》", Unit: "count", Limit: 1},
		{ID: RuleRedraw, TitleZh: "同一标段多次抽取专家", TitleEn: "experts drawn repeatedly for one section",
			Basis: "《评标专家和评标专家库管理暂行办法》", Unit: "count", Limit: 3},
		{ID: RuleBidReplaced, TitleZh: "同一投标人多次替换投标文件", TitleEn: "one bidder replaced its bid many times",
			Basis: "《招标投标法》第二十九条", Unit: "count", Limit: 3},
		{ID: RuleNoReason, TitleZh: "不予受理未说明理由", TitleEn: "refusal without a written reason",
			Basis: "《行政许可法》第三十二条、第三十八条", Unit: "count", Limit: 1},
		{ID: RuleMissingAgain, TitleZh: "多次要求补正材料", TitleEn: "missing materials asked for more than once",
			Basis: "《行政许可法》第三十二条（一次性告知）", Unit: "count", Limit: 2},
		{ID: RuleTendererFails, TitleZh: "同一招标人多次流标", TitleEn: "one tenderer's sections failing again and again",
			Basis: "《招标投标法实施条例》第四十四条、第八十一条", Unit: "count", Limit: 3},
		{ID: RuleVideoGap, TitleZh: "评标过程录像缺失", TitleEn: "evaluation-room video missing during the session",
			Basis: "《公共资源交易平台管理暂行办法》（交易全过程记录、可追溯）", Unit: "count", Limit: 1},
		{ID: RuleComplaintFile, TitleZh: "投诉期限（异议答复后或答复期满后）", TitleEn: "the complaint window after the objection's answer or its lapse",
			Basis: "《招标投标法实施条例》第六十条", Unit: "days", Limit: 10},
		{ID: RuleComplaintAcc, TitleZh: "投诉未在时限内决定是否受理", TitleEn: "complaint not accepted or refused in time",
			Basis: "《招标投标法实施条例》第六十一条", Unit: "workdays", Limit: 3},
		{ID: RuleComplaintDec, TitleZh: "投诉未在时限内作出处理决定", TitleEn: "accepted complaint not decided in time",
			Basis: "《招标投标法实施条例》第六十二条", Unit: "workdays", Limit: 30},
	} {
		x := x
		r.Rule[x.ID] = &x
	}
	return r
}

// List returns the rules in id order.
func (r Rules) List() []Rule {
	out := make([]Rule, 0, len(r.Rule))
	for _, x := range r.Rule {
		out = append(out, *x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ConfigError names the field of a rules file that is wrong.
type ConfigError struct {
	Field string // e.g. "rules.B-OPENING-LATE.limit"
	Msg   string
}

// Error renders one line an operator can act on, in English and Chinese.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("supervision rules: %s: %s / 监察规则配置项 %s 无效", e.Field, e.Msg, e.Field)
}

// LoadRules reads a YAML rules file over the defaults; an empty path
// gives the defaults. Unknown fields, unknown rule ids and out-of-range
// values are refused with a *ConfigError naming the field.
func LoadRules(path string) (Rules, error) {
	if path == "" {
		return DefaultRules(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Rules{}, &ConfigError{Field: "supervision.rules_file", Msg: err.Error()}
	}
	return ParseRules(b)
}

// ParseRules is LoadRules on the file's bytes.
func ParseRules(b []byte) (Rules, error) {
	r := DefaultRules()
	var in struct {
		YellowUsedPercent *int                      `yaml:"yellow_used_percent"`
		YellowDaysLeft    *int                      `yaml:"yellow_days_left"`
		AnswerWorkdays    *int                      `yaml:"answer_workdays"`
		Rules             map[string]map[string]int `yaml:"rules"`
		Efficiency        map[string]int            `yaml:"efficiency"`
		Patterns          map[string]int            `yaml:"patterns"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&in); err != nil && !errors.Is(err, io.EOF) {
		return Rules{}, &ConfigError{Field: fieldOf(err.Error()), Msg: err.Error()}
	}
	set := func(field string, p *int, v *int, lo, hi int) error {
		if v == nil {
			return nil
		}
		if *v < lo || *v > hi {
			return &ConfigError{Field: field, Msg: fmt.Sprintf("%d is outside %d..%d", *v, lo, hi)}
		}
		*p = *v
		return nil
	}
	if err := errors.Join(set("yellow_used_percent", &r.YellowUsedPercent, in.YellowUsedPercent, 50, 99),
		set("yellow_days_left", &r.YellowDaysLeft, in.YellowDaysLeft, 0, 10),
		set("answer_workdays", &r.AnswerWorkdays, in.AnswerWorkdays, 1, 30)); err != nil {
		return Rules{}, firstOf(err)
	}
	if err := r.Efficiency.set(in.Efficiency, set); err != nil {
		return Rules{}, err
	}
	if err := r.Patterns.set(in.Patterns, set); err != nil {
		return Rules{}, err
	}
	for id, fields := range in.Rules {
		rule, ok := r.Rule[id]
		if !ok {
			return Rules{}, &ConfigError{Field: "rules." + id, Msg: "unknown rule id"}
		}
		for k, v := range fields {
			field := "rules." + id + "." + k
			if k != "limit" || rule.FromEvent {
				return Rules{}, &ConfigError{Field: field, Msg: "unknown field"}
			}
			v := v
			if err := set(field, &rule.Limit, &v, 1, maxLimit(rule.Unit)); err != nil {
				return Rules{}, err
			}
		}
	}
	return r, nil
}

func maxLimit(unit string) int {
	switch unit {
	case "minutes":
		return 24 * 60
	case "days":
		return 365
	case "count":
		return 100
	}
	return 250
}

// fieldOf picks the field yaml.v3 names in "field X not found in type".
func fieldOf(msg string) string {
	if _, rest, ok := strings.Cut(msg, "field "); ok {
		if name, _, ok := strings.Cut(rest, " "); ok {
			return name
		}
	}
	return "supervision.rules_file"
}

func firstOf(err error) error {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return ce
	}
	return err
}

// set applies the file's efficiency fields: weights 0..100 (not all zero),
// grade bounds 0..100 in descending order.
func (e *Efficiency) set(in map[string]int, set func(string, *int, *int, int, int) error) error {
	fields := map[string]*int{"on_time": &e.OnTime, "time_used": &e.TimeUsed, "warnings": &e.Warnings, "red": &e.Red,
		"satisfaction": &e.Satisfaction, "complaints": &e.Complaints, "excellent": &e.Excellent, "good": &e.Good, "pass": &e.Pass}
	for k, v := range in {
		p, ok := fields[k]
		if !ok {
			return &ConfigError{Field: "efficiency." + k, Msg: "unknown field"}
		}
		v := v
		if err := set("efficiency."+k, p, &v, 0, 100); err != nil {
			return err
		}
	}
	if e.OnTime+e.TimeUsed+e.Warnings+e.Red+e.Satisfaction+e.Complaints == 0 {
		return &ConfigError{Field: "efficiency", Msg: "the weights may not all be zero"}
	}
	if !(e.Excellent > e.Good && e.Good > e.Pass) {
		return &ConfigError{Field: "efficiency.good", Msg: "grade bounds must descend: excellent > good > pass"}
	}
	return nil
}
