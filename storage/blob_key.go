package storage

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Limits on blob keys. MaxBlobKeyLen keeps keys well under S3's 1024 bytes
// and inside a database column; MaxBlobSegmentLen is the file-name limit of
// Linux file systems, which both the FS backend and MinIO's own disk layout
// inherit, so a longer segment would fail on one backend only at write time.
const (
	MaxBlobKeyLen     = 512
	MaxBlobSegmentLen = 255
)

// ValidateBlobKey returns nil when key may name a blob, else apperr.Invalid
// with a bilingual message saying why. A key is non-empty, at most
// MaxBlobKeyLen bytes of printable UTF-8 without backslashes, and a
// relative slash-separated path whose segments are non-empty, at most
// MaxBlobSegmentLen bytes, and neither "." nor "..". The rules are the same
// for every backend: on disk they keep a key inside the store's root and
// give each object one name ("a//b" and "a/b" would be one file but two S3
// objects).
func ValidateBlobKey(key string) error {
	if why := blobKeyProblem(key); why != nil {
		return blobKeyInvalid(key, why)
	}
	return nil
}

// validateBlobPrefix accepts a List prefix: empty, or something a valid
// key can start with. Appending one ordinary character turns a prefix that
// ends mid-segment ("docs/a") or at a slash ("docs/") into a candidate key,
// so the key rules apply unchanged.
func validateBlobPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if why := blobKeyProblem(prefix + "x"); why != nil {
		return blobKeyInvalid(prefix, why)
	}
	return nil
}

// blobKeyReason is one broken key rule, in both languages.
type blobKeyReason struct{ zh, en string }

// blobKeyProblem returns the first rule key breaks, or nil.
func blobKeyProblem(key string) *blobKeyReason {
	switch {
	case key == "":
		return &blobKeyReason{"不能为空", "it is empty"}
	case len(key) > MaxBlobKeyLen:
		return &blobKeyReason{"超过 512 字节", "it is longer than 512 bytes"}
	case !utf8.ValidString(key):
		return &blobKeyReason{"不是有效的 UTF-8", "it is not valid UTF-8"}
	case strings.ContainsRune(key, '\\'):
		return &blobKeyReason{"含有反斜杠", "it contains a backslash"}
	case strings.HasPrefix(key, "/"):
		return &blobKeyReason{"以斜杠开头", "it starts with a slash"}
	case strings.IndexFunc(key, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return &blobKeyReason{"含有不可打印字符", "it contains a non-printable character"}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return &blobKeyReason{"含有空的路径段（// 或结尾的 /）", "it has an empty segment (// or a trailing /)"}
		case seg == "." || seg == "..":
			return &blobKeyReason{"含有 . 或 .. 路径段", "it has a . or .. segment"}
		case len(seg) > MaxBlobSegmentLen:
			return &blobKeyReason{"某一路径段超过 255 字节", "a segment is longer than 255 bytes"}
		}
	}
	return nil
}

// blobKeyInvalid builds the Invalid error for a rejected key or prefix.
func blobKeyInvalid(key string, why *blobKeyReason) error {
	shown := key
	if len(shown) > 80 {
		shown = shown[:80] + "…"
	}
	return apperr.Newf(apperr.Invalid,
		"对象键 %q 无效："+why.zh, "blob key %q is invalid: "+why.en, shown).
		WithCode("invalid_blob_key").WithField("key", why.en)
}
