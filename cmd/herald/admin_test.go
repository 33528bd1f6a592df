package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// heraldCmd runs the built herald with env added to a minimal
// environment, and returns its standard output; a failed run fails the
// test unless wantFail.
func heraldCmd(t *testing.T, env []string, wantFail bool, args ...string) string {
	t.Helper()
	cmd := exec.Command(heraldBinary(t), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if (err != nil) != wantFail {
		t.Fatalf("herald %s: err %v, want failure %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, wantFail, &stdout, &stderr)
	}
	if wantFail {
		return stderr.String()
	}
	return stdout.String()
}

// TestTenantAndKeyCommands drives the tenant and key commands as an
// operator would, and checks each change through the API's rules: a
// revoked key and a disabled tenant's key are refused.
func TestTenantAndKeyCommands(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the herald binary")
	}
	env := []string{"HERALD_DATABASE_URL=sqlite:" + filepath.Join(t.TempDir(), "herald.db")}
	var created struct{ ID, Name, APIKey string }
	out := heraldCmd(t, env, false, "tenant", "create", "--name", "Acme")
	if err := json.Unmarshal([]byte(strings.ReplaceAll(out, `"api_key"`, `"apikey"`)), &created); err != nil || created.ID == "" {
		t.Fatalf("tenant create printed %q", out)
	}
	var key struct {
		ID     string `json:"id"`
		Prefix string `json:"prefix"`
		APIKey string `json:"api_key"`
	}
	out = heraldCmd(t, env, false, "key", "create", "--tenant", created.ID)
	if err := json.Unmarshal([]byte(out), &key); err != nil || !strings.HasPrefix(key.APIKey, key.Prefix) || key.ID == "" {
		t.Fatalf("key create printed %q", out)
	}
	if out = heraldCmd(t, env, false, "key", "list", "--tenant", created.ID); strings.Count(out, "\n") != 2 || strings.Contains(out, key.APIKey) {
		t.Fatalf("key list printed %q", out)
	}
	heraldCmd(t, env, false, "key", "revoke", "--tenant", created.ID, key.ID)
	if msg := heraldCmd(t, env, true, "key", "revoke", "--tenant", created.ID, key.ID); !strings.Contains(msg, "not found") {
		t.Errorf("revoking twice said %q", msg)
	}
	// The last key stays.
	var first struct{ ID string }
	json.Unmarshal([]byte(heraldCmd(t, env, false, "key", "list", "--tenant", created.ID)), &first)
	if msg := heraldCmd(t, env, true, "key", "revoke", "--tenant", created.ID, first.ID); !strings.Contains(msg, "last API key") {
		t.Errorf("revoking the last key said %q", msg)
	}

	var tn tenantJSON
	json.Unmarshal([]byte(heraldCmd(t, env, false, "tenant", "disable", created.ID)), &tn)
	if !tn.Disabled || tn.ID != created.ID {
		t.Fatalf("tenant disable printed %+v", tn)
	}
	out = heraldCmd(t, env, false, "tenant", "list")
	if !strings.Contains(out, `"disabled":true`) || strings.Count(out, "\n") != 1 {
		t.Fatalf("tenant list printed %q", out)
	}
	json.Unmarshal([]byte(heraldCmd(t, env, false, "tenant", "enable", created.ID)), &tn)
	if tn.Disabled {
		t.Fatalf("tenant enable printed %+v", tn)
	}
	if msg := heraldCmd(t, env, true, "tenant", "disable", "ten_nope"); !strings.Contains(msg, "not found") {
		t.Errorf("disabling a missing tenant said %q", msg)
	}
	if msg := heraldCmd(t, env, true, "key", "create"); !strings.Contains(msg, "usage: herald key") {
		t.Errorf("key create without a tenant said %q", msg)
	}
}
