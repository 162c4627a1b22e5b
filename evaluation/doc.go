// Package evaluation runs the evaluation and the award of a section
// (DESIGN.md §5 "Experts and evaluation" and "Award", issue 7): the
// evaluation scheme (评标办法) frozen with the announcement, the closed
// evaluation room that experts enter with their account, a one-time code
// and from the room's network only, the avoidance declaration and the
// chair's election, the qualification review, independent scoring with
// objective reconciliation and deviation flags (畸高畸低), the price
// formulas, clarifications with bidders, the report every expert signs
// with SM2, and after it the candidates' publicity, objections, the
// award and result notices and the contract record. Complaints (投诉)
// belong to supervision; a suspension it orders holds the award.
//
// Scores are exact: Points counts hundredths of a point, and every mean
// or quotient is computed with rationals and rounded half-up to two
// places once, where the rulebook says so.
//
// Besides the kinds each method documents, any method may return
// apperr.Unavailable (database down or busy, safe to retry) or
// apperr.Internal (a fault on the server's side).
package evaluation
