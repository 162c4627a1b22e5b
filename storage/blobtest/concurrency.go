package blobtest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/tenderhall/tenderhall/storage"
)

// concurrencyCases covers saves and deletes racing each other.
func concurrencyCases() []blobCase {
	return []blobCase{
		{"ConcurrentSavesOfDifferentKeys", testConcurrentKeys},
		{"ConcurrentOverwritesNeverMix", testConcurrentOverwrites},
		{"SavesRaceDeletesInOneFolder", testSaveDeleteRace},
	}
}

// parallel runs fn(0..n-1) on n goroutines and returns the first error.
func parallel(n int, fn func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func testConcurrentKeys(t *testing.T, s storage.Blobs) {
	const n = 16
	key := func(i int) string { return fmt.Sprintf("conc/%d/%02d", i%4, i) }
	data := func(i int) []byte { return pattern(uint64(100+i), 256<<10+i) }
	err := parallel(n, func(i int) error {
		_, err := s.Save(t.Context(), key(i), bytes.NewReader(data(i)), -1)
		return err
	})
	if err != nil {
		t.Fatalf("concurrent Save: %v", err)
	}
	for i := range n {
		wantContent(t, s, key(i), data(i))
	}
	if list, err := s.List(t.Context(), "conc/"); err != nil || len(list) != n {
		t.Fatalf("List = %d objects, %v; want %d", len(list), err, n)
	}
}

// testConcurrentOverwrites saves different contents under one key at once:
// the survivor must be one of them, whole.
func testConcurrentOverwrites(t *testing.T, s storage.Blobs) {
	const n, size = 8, 512 << 10
	const key = "conc/same"
	err := parallel(n, func(i int) error {
		_, err := s.Save(t.Context(), key, bytes.NewReader(bytes.Repeat([]byte{byte('a' + i)}, size)), size)
		return err
	})
	if err != nil {
		t.Fatalf("concurrent Save: %v", err)
	}
	got := read(t, s, key, 0, -1)
	if len(got) != size || bytes.Count(got, got[:1]) != size {
		t.Fatalf("after concurrent overwrites the object has %d bytes of mixed content", len(got))
	}
}

// testSaveDeleteRace deletes objects while others are saved next to them:
// a delete that empties a folder must not break a save into it.
func testSaveDeleteRace(t *testing.T, s storage.Blobs) {
	const n, rounds = 8, 10
	err := parallel(2*n, func(i int) error {
		for r := range rounds {
			key := fmt.Sprintf("race/f%d/%d-%d", r%2, i, r)
			if _, err := s.Save(t.Context(), key, bytes.NewReader([]byte(key)), -1); err != nil {
				return fmt.Errorf("Save(%s): %w", key, err)
			}
			if i%2 == 0 { // half the goroutines delete what they saved at once
				if err := s.Delete(t.Context(), key); err != nil {
					return fmt.Errorf("Delete(%s): %w", key, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.List(t.Context(), "race/")
	if err != nil || len(list) != n*rounds {
		t.Fatalf("List = %d objects, %v; want the %d kept", len(list), err, n*rounds)
	}
	for _, b := range list {
		wantContent(t, s, b.Key, []byte(b.Key))
	}
}
