package evaluation

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Formula names a price-score formula (DESIGN.md §5).
type Formula string

// The price formulas.
const (
	// LowestBase (政府采购, 87号令): the lowest valid price is the base;
	// a bid scores base / price × full marks. No price is dropped.
	LowestBase Formula = "lowest_base"
	// AverageDeviation (工程): the base is the mean of the valid prices
	// after dropping the highest and the lowest (with 3 or fewer prices,
	// the plain mean); a bid loses DeductAbove points per 1% above the
	// base and DeductBelow per 1% below, proportionally inside 1%, never
	// below zero.
	AverageDeviation Formula = "average_deviation"
)

func (f Formula) valid() bool { return f == LowestBase || f == AverageDeviation }

// PriceBid is one valid bid's price, from the opening record.
type PriceBid struct {
	BidID    int64 `json:"bidId"`
	PriceFen int64 `json:"priceFen"`
}

// PriceScore is one bid's price score.
type PriceScore struct {
	BidID     int64  `json:"bidId"`
	PriceFen  int64  `json:"priceFen"`
	Deviation string `json:"deviationPct,omitempty"` // (price − base) / base × 100, four decimals
	Deduction string `json:"deduction,omitempty"`    // points deducted, four decimals
	Score     Points `json:"score"`
}

// PriceComputation is a price formula applied, with every step written
// out for the report.
type PriceComputation struct {
	Formula     Formula      `json:"formula"`
	FullMarks   Points       `json:"fullMarks"`
	DeductAbove Points       `json:"deductAbove,omitempty"`
	DeductBelow Points       `json:"deductBelow,omitempty"`
	BaseFen     string       `json:"baseFen"`           // the base price in fen, two decimals
	Dropped     []int64      `json:"dropped,omitempty"` // bids left out of the base
	Scores      []PriceScore `json:"scores"`            // in the order given
	Steps       []string     `json:"steps"`
}

// ComputePrice applies formula f to the valid bids' prices. Errors:
// apperr.Invalid for an unknown formula, no bids, a price that is not
// positive, or negative marks.
func ComputePrice(f Formula, bids []PriceBid, full, above, below Points) (PriceComputation, error) {
	if !f.valid() {
		return PriceComputation{}, apperr.Newf(apperr.Invalid, "未知价格公式 %q", "unknown price formula %q", f).WithField("priceFormula", "unknown")
	}
	if len(bids) == 0 {
		return PriceComputation{}, apperr.New(apperr.Invalid, "没有有效报价，无法计算价格分", "no valid price to score").WithCode("no_valid_bids")
	}
	for _, b := range bids {
		if b.PriceFen <= 0 {
			return PriceComputation{}, apperr.Newf(apperr.Invalid, "投标 %d 的报价无效", "bid %d has no valid price", b.BidID).WithCode("bad_price")
		}
	}
	if full < 0 || above < 0 || below < 0 {
		return PriceComputation{}, apperr.New(apperr.Invalid, "分值不能为负", "marks cannot be negative").WithField("fullMarks", "negative")
	}
	pc := PriceComputation{Formula: f, FullMarks: full}
	pc.Steps = append(pc.Steps, fmt.Sprintf("有效投标报价共 %d 家：%s。", len(bids), priceList(bids)))
	if f == LowestBase {
		lowestBase(&pc, bids)
	} else {
		pc.DeductAbove, pc.DeductBelow = above, below
		averageDeviation(&pc, bids)
	}
	return pc, nil
}

func lowestBase(pc *PriceComputation, bids []PriceBid) {
	base := bids[0].PriceFen
	for _, b := range bids {
		base = min(base, b.PriceFen)
	}
	pc.BaseFen = fenString(big.NewRat(base, 1))
	pc.Steps = append(pc.Steps, fmt.Sprintf("评标基准价为最低有效报价 %s 元；价格分 = 基准价 ÷ 投标报价 × %s 分。", yuan(base), pc.FullMarks))
	for _, b := range bids {
		r := new(big.Rat).Mul(big.NewRat(base, b.PriceFen), pc.FullMarks.Rat())
		s := RoundHalfUp(r)
		pc.Scores = append(pc.Scores, PriceScore{BidID: b.BidID, PriceFen: b.PriceFen, Score: s})
		pc.Steps = append(pc.Steps, fmt.Sprintf("投标 %d：%s ÷ %s × %s = %s，取两位小数得 %s 分。",
			b.BidID, yuan(base), yuan(b.PriceFen), pc.FullMarks, ratString(r, 4), s))
	}
}

func averageDeviation(pc *PriceComputation, bids []PriceBid) {
	sorted := append([]PriceBid(nil), bids...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].PriceFen != sorted[j].PriceFen {
			return sorted[i].PriceFen < sorted[j].PriceFen
		}
		return sorted[i].BidID < sorted[j].BidID
	})
	kept := sorted
	if len(sorted) > 3 {
		lo, hi := sorted[0], sorted[len(sorted)-1]
		kept = sorted[1 : len(sorted)-1]
		pc.Dropped = []int64{hi.BidID, lo.BidID}
		pc.Steps = append(pc.Steps, fmt.Sprintf("去掉一个最高报价 %s 元（投标 %d）和一个最低报价 %s 元（投标 %d）。",
			yuan(hi.PriceFen), hi.BidID, yuan(lo.PriceFen), lo.BidID))
	} else {
		pc.Steps = append(pc.Steps, "有效报价不超过 3 家，不去掉最高和最低报价。")
	}
	sum := int64(0)
	for _, b := range kept {
		sum += b.PriceFen
	}
	base := big.NewRat(sum, int64(len(kept)))
	pc.BaseFen = fenString(base)
	pc.Steps = append(pc.Steps, fmt.Sprintf("评标基准价 = %s 的算术平均值 = %s 元。", priceList(kept), yuanRat(base)))
	pc.Steps = append(pc.Steps, fmt.Sprintf("偏差率 = (投标报价 − 基准价) ÷ 基准价 × 100%%；高于基准价每 1%% 扣 %s 分，低于基准价每 1%% 扣 %s 分，不足 1%% 按比例扣分，扣完为止。",
		pc.DeductAbove, pc.DeductBelow))
	for _, b := range bids {
		dev := new(big.Rat).Quo(new(big.Rat).Sub(big.NewRat(b.PriceFen, 1), base), base)
		dev.Mul(dev, big.NewRat(100, 1))
		rate := pc.DeductAbove.Rat()
		if dev.Sign() < 0 {
			rate = pc.DeductBelow.Rat()
		}
		ded := new(big.Rat).Mul(new(big.Rat).Abs(dev), rate)
		r := new(big.Rat).Sub(pc.FullMarks.Rat(), ded)
		if r.Sign() < 0 {
			r.SetInt64(0)
		}
		s := RoundHalfUp(r)
		pc.Scores = append(pc.Scores, PriceScore{BidID: b.BidID, PriceFen: b.PriceFen, Deviation: ratString(dev, 4), Deduction: ratString(ded, 4), Score: s})
		pc.Steps = append(pc.Steps, fmt.Sprintf("投标 %d：报价 %s 元，偏差率 %s%%，扣 %s 分，得 %s 分。",
			b.BidID, yuan(b.PriceFen), ratString(dev, 4), ratString(ded, 4), s))
	}
}

func priceList(bids []PriceBid) string {
	parts := make([]string, len(bids))
	for i, b := range bids {
		parts[i] = fmt.Sprintf("%s 元（投标 %d）", yuan(b.PriceFen), b.BidID)
	}
	return strings.Join(parts, "、")
}

// yuan formats fen as yuan with two decimals.
func yuan(fen int64) string { return new(big.Rat).SetFrac64(fen, 100).FloatString(2) }

func yuanRat(fen *big.Rat) string { return new(big.Rat).Quo(fen, big.NewRat(100, 1)).FloatString(4) }

func fenString(fen *big.Rat) string { return fen.FloatString(2) }
