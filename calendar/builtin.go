package calendar

import (
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
)

// Builtin2026 returns the national schedule for 2026 from the State Council
// General Office's notice on the 2026 holidays (国务院办公厅关于2026年部分节假日
// 安排的通知, dated 2025-11-04, published by Xinhua): 33 days off and 6
// adjusted working weekend days. It is not loaded by itself: an
// administrator loads it (the demo does), and may correct it, with SetYear.
//
//	元旦   1月1日至3日放假，1月4日（周日）上班
//	春节   2月15日至23日放假，2月14日（周六）、2月28日（周六）上班
//	清明节 4月4日至6日放假
//	劳动节 5月1日至5日放假，5月9日（周六）上班
//	端午节 6月19日至21日放假
//	中秋节 9月25日至27日放假
//	国庆节 10月1日至7日放假，9月20日（周日）、10月10日（周六）上班
func Builtin2026() []clock.DayEntry {
	var out []clock.DayEntry
	holiday := func(from, to, name string) { out = append(out, span(from, to, clock.Holiday, name)...) }
	workday := func(date, name string) { out = append(out, span(date, date, clock.Workday, name)...) }
	holiday("2026-01-01", "2026-01-03", "元旦")
	workday("2026-01-04", "元旦调休上班")
	workday("2026-02-14", "春节调休上班")
	holiday("2026-02-15", "2026-02-23", "春节")
	workday("2026-02-28", "春节调休上班")
	holiday("2026-04-04", "2026-04-06", "清明节")
	holiday("2026-05-01", "2026-05-05", "劳动节")
	workday("2026-05-09", "劳动节调休上班")
	holiday("2026-06-19", "2026-06-21", "端午节")
	workday("2026-09-20", "国庆节调休上班")
	holiday("2026-09-25", "2026-09-27", "中秋节")
	holiday("2026-10-01", "2026-10-07", "国庆节")
	workday("2026-10-10", "国庆节调休上班")
	return out
}

// span lists the days from..to inclusive; the dates are constants above.
func span(from, to string, kind clock.DayKind, name string) []clock.DayEntry {
	d, _ := time.Parse(dateLayout, from)
	end, _ := time.Parse(dateLayout, to)
	var out []clock.DayEntry
	for ; !d.After(end); d = d.AddDate(0, 0, 1) {
		out = append(out, clock.DayEntry{Date: d.Format(dateLayout), Kind: kind, Name: name})
	}
	return out
}
