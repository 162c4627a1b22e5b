package notary

import "github.com/tenderhall/tenderhall/internal/apperr"

// errBadProof is the one answer to a proof that does not hold: which step
// failed tells an attacker nothing useful and a user nothing actionable.
func errBadProof(inclusion bool) error {
	if inclusion {
		return apperr.New(apperr.Invalid, "包含证明不成立", "the inclusion proof does not verify").WithCode("bad_proof")
	}
	return apperr.New(apperr.Invalid, "一致性证明不成立", "the consistency proof does not verify").WithCode("bad_proof")
}

// VerifyInclusion checks that leaf is the leaf at index in the tree of size
// leaves whose root is root, given the audit path (RFC 9162 §2.1.3.2). It
// returns nil when the proof holds and apperr.Invalid (code "bad_proof")
// otherwise, including for an index outside the tree or a path of the wrong
// length.
func VerifyInclusion(index, size uint64, leaf Hash, path []Hash, root Hash) error {
	if index >= size || len(path) > MaxProofHashes {
		return errBadProof(true)
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range path {
		if sn == 0 {
			return errBadProof(true)
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(p, r)
			if fn&1 == 0 {
				// fn is the last node of its level with no right sibling:
				// climb until it is a right child (or the root).
				for fn&1 == 0 && fn != 0 {
					fn >>= 1
					sn >>= 1
				}
			}
		} else {
			r = NodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 || r != root {
		return errBadProof(true)
	}
	return nil
}

// VerifyConsistency checks that the tree of first leaves with root
// firstRoot is a prefix of the tree of second leaves with root secondRoot,
// given the consistency proof (RFC 9162 §2.1.4.2). Equal sizes need an empty
// path and equal roots; size 0 needs an empty path and the empty root. It
// returns nil when the proof holds and apperr.Invalid (code "bad_proof")
// otherwise.
func VerifyConsistency(first, second uint64, firstRoot, secondRoot Hash, path []Hash) error {
	switch {
	case first > second || len(path) > MaxProofHashes:
		return errBadProof(false)
	case first == 0:
		if len(path) != 0 || firstRoot != EmptyRoot() {
			return errBadProof(false)
		}
		return nil
	case first == second:
		if len(path) != 0 || firstRoot != secondRoot {
			return errBadProof(false)
		}
		return nil
	case len(path) == 0:
		return errBadProof(false)
	}
	if first&(first-1) == 0 {
		// A perfect first tree is itself a node of the second: the proof
		// leaves it out and the verifier starts from the root it knows.
		path = append([]Hash{firstRoot}, path...)
	}
	fn, sn := first-1, second-1
	for fn&1 == 1 {
		fn >>= 1
		sn >>= 1
	}
	fr, sr := path[0], path[0]
	for _, c := range path[1:] {
		if sn == 0 {
			return errBadProof(false)
		}
		if fn&1 == 1 || fn == sn {
			fr = NodeHash(c, fr)
			sr = NodeHash(c, sr)
			if fn&1 == 0 {
				for fn&1 == 0 && fn != 0 {
					fn >>= 1
					sn >>= 1
				}
			}
		} else {
			sr = NodeHash(sr, c)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 || fr != firstRoot || sr != secondRoot {
		return errBadProof(false)
	}
	return nil
}
