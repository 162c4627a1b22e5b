//go:build !unix

package storage

import "os"

// lockTemp does nothing where flock is unavailable; sweepTemp then relies
// on the files' age alone.
func lockTemp(*os.File) {}

// tempAbandoned cannot tell without locks.
func tempAbandoned(string) bool { return false }

// lockFile does nothing where flock is unavailable: one process per root.
func lockFile(*os.File) {}
