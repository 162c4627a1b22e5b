//go:build unix

package storage

import (
	"os"
	"syscall"
)

// lockTemp marks a temporary file as in use by this process. The lock
// dies with the process, so a file left by a killed writer is recognisably
// abandoned at the next start, however young it is.
func lockTemp(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// tempAbandoned reports whether no process holds name locked.
func tempAbandoned(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

// lockFile waits for an exclusive lock on f, held until f is closed.
func lockFile(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
}
