package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"herald/vonage/vonagetest"
)

// TestSecondProcessOnSQLiteRefusesToStart runs `herald serve` on an SQLite
// file, then `herald worker` on the same file: the worker exits with an
// error that names the serve process, and the serve keeps answering.
// `herald tenant create` still works beside it. Deleting the file under
// the serve makes it unready.
func TestSecondProcessOnSQLiteRefusesToStart(t *testing.T) {
	skipShort(t)
	t.Parallel()
	path := filepath.Join(t.TempDir(), "herald.db")
	url := "sqlite:" + path
	fake := vonagetest.NewServer(t)
	env := append(workerEnv(url, fake, "Herald"), "HERALD_ADDR=127.0.0.1:0")
	base := startServe(t, env)

	worker := exec.Command(heraldBin, "worker")
	worker.Env = env
	out, err := worker.CombinedOutput()
	if err == nil {
		t.Fatalf("a worker started on the SQLite file of a running serve:\n%s", out)
	}
	for _, want := range []string{"in use by herald serve (pid", path, "PostgreSQL"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the worker's refusal does not say %q:\n%s", want, out)
		}
	}

	create := exec.Command(heraldBin, "tenant", "create", "--name", "Acme")
	create.Env = env
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("tenant create beside serve: %v\n%s", err, out)
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("serve after the refused worker: /readyz = %d", resp.StatusCode)
	}
	if _, err := os.Stat(path + ".lock"); err != nil {
		t.Errorf("no lock file beside the database: %v", err)
	}

	// The file deleted under the running serve: readiness fails, where
	// SQLite would go on writing into the deleted file.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
	resp, err = http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with the database file deleted = %d, want 503", resp.StatusCode)
	}
}
