package experts

import (
	"bytes"
	"strconv"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// encodeCandidates writes the list one line per candidate, "group id
// employer\n" (the lines DrawCandidatesHash hashes, DRAW.md §2): the form
// the list is sealed in at rest, cheaper to read back than JSON.
func encodeCandidates(list []notary.DrawCandidate) []byte {
	b := make([]byte, 0, 32*len(list))
	for _, c := range list {
		b = strconv.AppendInt(b, int64(c.Group), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, c.ExpertID, 10)
		b = append(b, ' ')
		b = append(b, c.Employer...)
		b = append(b, '\n')
	}
	return b
}

// decodeCandidates reads what encodeCandidates wrote. It returns
// apperr.Internal for a malformed list: stored data is the server's fault.
func decodeCandidates(b []byte) ([]notary.DrawCandidate, error) {
	out := make([]notary.DrawCandidate, 0, bytes.Count(b, []byte{'\n'}))
	for len(b) > 0 {
		line, rest, ok := bytes.Cut(b, []byte{'\n'})
		b = rest
		f := bytes.SplitN(line, []byte{' '}, 3)
		if !ok || len(f) != 3 {
			return nil, apperr.New(apperr.Internal, "候选名单已损坏", "the stored candidate list is corrupt")
		}
		g, err1 := strconv.Atoi(string(f[0]))
		id, err2 := strconv.ParseInt(string(f[1]), 10, 64)
		if err1 != nil || err2 != nil {
			return nil, apperr.New(apperr.Internal, "候选名单已损坏", "the stored candidate list is corrupt")
		}
		out = append(out, notary.DrawCandidate{Group: g, ExpertID: id, Employer: string(f[2])})
	}
	return out, nil
}
