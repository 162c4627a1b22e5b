package experts

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// ProofFormat names the version of DrawProof (DRAW.md §6).
const ProofFormat = "tenderhall-draw-proof-v1"

// DrawProof is everything a third party needs to recompute a draw: the
// committed candidate list and secret, the commit event with its inclusion
// proof in the signed tree head the seed was bound to, the supervisor's
// value, and the result to compare with.
type DrawProof struct {
	Format      string                 `json:"format"`
	DrawID      int64                  `json:"drawId"`
	SectionID   int64                  `json:"sectionId"`
	Groups      []Group                `json:"groups"`
	Candidates  []notary.DrawCandidate `json:"candidates"`
	Exclusions  []Exclusion            `json:"exclusions"`
	SecretHex   string                 `json:"secret"`
	PublicValue string                 `json:"publicValue"`
	STH         notary.SignedTreeHead  `json:"sth"`
	CommitEvent eventlog.Event         `json:"commitEvent"`
	Inclusion   notary.InclusionProof  `json:"inclusion"`
	Seed        string                 `json:"seed"`
	Result      Result                 `json:"result"`
}

// Proof exports a drawn draw's proof. The supervisor of record may export
// it at any time; once the section's result is final it is public (actor
// may then be the zero Principal). Errors: apperr.NotFound;
// apperr.Forbidden (code "draw_sealed"); apperr.Conflict (code
// "draw_not_drawn").
func (s *Service) Proof(ctx context.Context, actor accounts.Principal, id int64) (DrawProof, error) {
	d, f, err := s.drawAndFacts(ctx, actor, id)
	if err != nil {
		return DrawProof{}, err
	}
	if !isRecordSupervisor(actor, d) && !f.Final() {
		return DrawProof{}, sealedErr()
	}
	res, err := s.openResult(d)
	if err != nil {
		return DrawProof{}, err
	}
	secret, cands, err := s.openCommitted(d)
	if err != nil {
		return DrawProof{}, err
	}
	evs, err := s.events.Range(ctx, d.CommitSeq, 1)
	if err != nil || len(evs) != 1 {
		return DrawProof{}, apperr.Wrap(err, apperr.Internal, "找不到抽取的承诺事件", "the draw's commit event is missing")
	}
	incl, err := s.tree.InclusionProof(ctx, uint64(d.CommitSeq), d.STH.TreeSize)
	if err != nil {
		return DrawProof{}, err
	}
	return DrawProof{Format: ProofFormat, DrawID: d.ID, SectionID: d.SectionID, Groups: d.Request.Groups, Candidates: cands,
		Exclusions: d.Exclusions, SecretHex: hex.EncodeToString(secret), PublicValue: *d.PublicValue, STH: *d.STH,
		CommitEvent: evs[0], Inclusion: incl, Seed: notary.DrawSeed(secret, *d.PublicValue, d.STH.TreeHead).String(), Result: res}, nil
}

func proofErr(code, zh, en string, args ...any) error {
	return apperr.Newf(apperr.Invalid, zh, en, args...).WithCode(code)
}

// Verify recomputes the draw from p alone and checks every link: the
// candidate list is sorted and hashes to the value in the commit event; the
// secret matches its commitment there; the commit event is in the tree the
// signed head describes; the head's signature verifies under pub (skipped
// when pub is nil — the caller says so); the seed and the whole result
// recompute. It returns apperr.Invalid with a code naming the first link
// that fails.
func (p DrawProof) Verify(pub *notary.PublicKey) error {
	if p.Format != ProofFormat {
		return proofErr("bad_format", "不是抽取证明（格式 %q）", "not a draw proof (format %q)", p.Format)
	}
	var c commitPayload
	if p.CommitEvent.Type != "experts.draw_committed" || json.Unmarshal([]byte(p.CommitEvent.Payload), &c) != nil || c.DrawID != p.DrawID {
		return proofErr("bad_commit_event", "承诺事件不属于该抽取", "the commit event is not this draw's")
	}
	sorted := slices.Clone(p.Candidates)
	SortCandidates(sorted)
	if !slices.Equal(sorted, p.Candidates) {
		return proofErr("candidates_unsorted", "候选名单未按规定排序", "the candidate list is not in canonical order")
	}
	if got := notary.DrawCandidatesHash(p.Candidates).String(); got != c.CandidatesHash {
		return proofErr("candidates_mismatch", "候选名单与抽取前记录的摘要不符（%s ≠ %s）",
			"the candidate list does not match the hash logged before the draw (%s ≠ %s)", got, c.CandidatesHash)
	}
	secret, err := hex.DecodeString(p.SecretHex)
	if err != nil || notary.DrawSecretCommitment(secret).String() != c.SecretCommitment {
		return proofErr("secret_mismatch", "服务器密钥与抽取前的承诺不符", "the server secret does not match the commitment logged before the draw")
	}
	leaf := eventlog.LeafHash(p.CommitEvent)
	if p.Inclusion.LeafHash != leaf || p.Inclusion.LeafIndex+1 != uint64(p.CommitEvent.Seq) || p.Inclusion.TreeSize != p.STH.TreeSize {
		return proofErr("inclusion_mismatch", "承诺事件与包含证明不符", "the commit event does not match its inclusion proof")
	}
	if err := p.Inclusion.Verify(p.STH.RootHash); err != nil {
		return proofErr("inclusion_invalid", "承诺事件不在所签树头的日志中", "the commit event is not in the log of the signed tree head")
	}
	if pub != nil {
		if err := p.STH.Verify(pub); err != nil {
			return proofErr("sth_signature", "树头签名无效", "the tree head signature does not verify")
		}
	}
	seed := notary.DrawSeed(secret, p.PublicValue, p.STH.TreeHead)
	if seed.String() != p.Seed {
		return proofErr("seed_mismatch", "种子重算不一致", "the seed does not recompute")
	}
	res, err := Select(p.Groups, p.Candidates, seed)
	if err != nil {
		return err
	}
	want, _ := json.Marshal(res)
	got, _ := json.Marshal(p.Result)
	if string(want) != string(got) {
		return proofErr("result_mismatch", "重算的抽取结果与公布结果不同", "the recomputed draw differs from the published result")
	}
	return nil
}

// Summary describes a verified proof in one line per group.
func (p DrawProof) Summary() []string {
	out := []string{}
	for i, g := range p.Result.Groups {
		out = append(out, fmt.Sprintf("group %d (%s %s): members %v reserves %v, of %d candidates",
			i+1, p.Groups[i].Specialty, p.Groups[i].Category, g.Members, g.Reserves, len(g.Order)))
	}
	return out
}
