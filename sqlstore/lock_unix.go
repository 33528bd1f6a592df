//go:build unix

package sqlstore

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on f without waiting. The kernel drops
// it when the process ends, however it ends, so a crash leaves no stale
// claim.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
