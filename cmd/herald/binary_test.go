package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// binary holds the herald binary the process tests build once.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// heraldBinary builds the herald command once per test run, as an operator
// would with go build, and returns its path.
func heraldBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		binary.dir, binary.err = os.MkdirTemp("", "herald-bin-")
		if binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "herald")
		binary.out, binary.err = exec.Command("go", "build", "-buildvcs=auto", "-o", binary.path, ".").CombinedOutput()
	})
	if binary.err != nil {
		t.Fatalf("go build: %v\n%s", binary.err, binary.out)
	}
	return binary.path
}
