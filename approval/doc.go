// Package approval is administrative approval (行政审批): the catalogue of
// approval items (事项库 / 办事指南) and the cases (办件) applicants file
// against them, on a working-day clock.
//
// # Items
//
// An item names its department, legal basis, the legal time limit and the
// shorter promised limit in working days, its steps (受理 → 审查 → 决定 →
// 办结, each with a limit), the required materials (要件), fee, the number
// of visits an applicant makes (star level: 5★ none, 4★ one, 3★ two or
// more) and whether it has a fast lane (直通车: an investment of at least
// FastLaneFen gets at most half the promised limit). Every save adds a new
// version; a case keeps the version it applied under.
//
// # Cases and the clock
//
// An applicant opens a draft, adds the materials (streamed to the blob
// store with their SM3 digest) and submits. The window officer of the
// item's department then, within PreReviewWorkdays, accepts (受理), refuses
// with a reason (不予受理), or asks once for every missing material
// (一次性告知), which must happen within MissingNoticeWorkdays of the
// submission. The clock starts at acceptance:
//
//	due = end of the day AddWorkdays(accepted, promised + suspended)
//
// where working days follow the administrator's calendar (calendar
// package: holidays and adjusted workdays), the acceptance day does not
// count, and each suspension (听证, 现场勘查, 专家评审, 补正) adds the
// working days from the day after it began up to and including the day it
// was resumed. Worked example (TestPromisedDateByHand), on the built-in
// 2026 calendar (中秋 09-25 to 09-27 and 国庆 10-01 to 10-07 off, Sat 10-10
// worked): accepted Wed 2026-09-23 with 10 promised days; suspended Thu
// 09-24 and resumed Tue 09-29 (adds Mon 09-28 and Tue 09-29: 2, the
// holiday and the weekend add nothing), suspended Fri 10-09 and resumed
// Mon 10-12 (adds Sat 10-10 and Mon 10-12: 2). The 14 working days after
// 09-23 are 09-24, 28, 29, 30, 10-08, 09, 10, 12, 13, 14, 15, 16, 19 and
// 20, so the case is due at the end of Tue 2026-10-20 (Beijing time).
//
// Every transition runs in one transaction with its event in the log, and
// is a compare-and-set on the case's state, so a retried or concurrent
// request cannot apply twice.
//
// Besides the kinds each method documents, any method may return
// apperr.Unavailable (database or blob store down, safe to retry) or
// apperr.Internal.
package approval
