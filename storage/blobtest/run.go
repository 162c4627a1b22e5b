// Package blobtest is the conformance suite of storage.Blobs: every backend
// (the local filesystem, MinIO) runs the same cases, so code written
// against the interface behaves the same on the embedded default and in
// production.
package blobtest

import (
	"testing"

	"github.com/tenderhall/tenderhall/storage"
)

// blobCase is one conformance case; it gets a fresh, empty store.
type blobCase struct {
	name string
	run  func(t *testing.T, s storage.Blobs)
}

// Run runs every conformance case as a subtest of t. newStore is called
// once per subtest and must return an empty store; it registers with
// t.Cleanup whatever disposes of the store (and may register checks, such
// as "no temporary files left", that then run after the case).
//
// For the presigned-URL cases the URL returned by PresignGet must be
// absolute and actually serve the object over HTTP: answering 200 with the
// bytes, and 403 when its signature is tampered with.
func Run(t *testing.T, newStore func(t *testing.T) storage.Blobs) {
	t.Helper()
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, newStore(t))
		})
	}
}

// cases lists the suite, grouped by the file that defines them.
func cases() []blobCase {
	var all []blobCase
	all = append(all, basicCases()...)
	all = append(all, rangeCases()...)
	all = append(all, failureCases()...)
	all = append(all, presignCases()...)
	all = append(all, concurrencyCases()...)
	all = append(all, multipartCases()...)
	return all
}
