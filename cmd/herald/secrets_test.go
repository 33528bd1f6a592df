package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretFiles gives the admin token and the Vonage secret as files, as
// a container's secrets are mounted, and checks Herald starts with them.
func TestSecretFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, value string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(value), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	getenv, err := withSecretFiles(mapEnv(map[string]string{
		"HERALD_ADMIN_TOKEN_FILE": write("admin", "s3cret-token\n"),
		"VONAGE_API_SECRET_FILE":  write("vonage", "vsecret"),
		"VONAGE_API_KEY":          "key",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := getenv("HERALD_ADMIN_TOKEN"); got != "s3cret-token" {
		t.Errorf("HERALD_ADMIN_TOKEN = %q, want the file's value without its newline", got)
	}
	if got := getenv("VONAGE_API_SECRET"); got != "vsecret" {
		t.Errorf("VONAGE_API_SECRET = %q", got)
	}
	if got := getenv("VONAGE_API_KEY"); got != "key" {
		t.Errorf("VONAGE_API_KEY = %q, want the plain variable", got)
	}
	cfg, err := LoadConfig(getenv)
	if err != nil || cfg.AdminToken != "s3cret-token" {
		t.Fatalf("LoadConfig = %+v, %v", cfg.AdminToken, err)
	}
}

// TestConfigErrorsHideSecrets runs herald with bad secret settings and
// checks every message names the variable and never shows the value.
func TestConfigErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "token")
	if err := os.WriteFile(secretFile, []byte("hunter2-admin"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		secrets []string
	}{
		{"database URL with a password", map[string]string{"HERALD_DATABASE_URL": "mysql://herald:hunter2-db@db/herald"},
			"HERALD_DATABASE_URL", []string{"hunter2-db"}},
		{"password in the query", map[string]string{"HERALD_DATABASE_URL": "mysql://db/herald?password=hunter2-q"},
			"HERALD_DATABASE_URL", []string{"hunter2-q"}},
		{"not a URL", map[string]string{"HERALD_DATABASE_URL": "hunter2 pasted"},
			"HERALD_DATABASE_URL", []string{"hunter2"}},
		{"both set", map[string]string{"HERALD_ADMIN_TOKEN": "hunter2-env", "HERALD_ADMIN_TOKEN_FILE": secretFile},
			"HERALD_ADMIN_TOKEN and HERALD_ADMIN_TOKEN_FILE are both set", []string{"hunter2"}},
		{"missing file", map[string]string{"SMTP_PASSWORD_FILE": filepath.Join(dir, "nope")},
			"SMTP_PASSWORD_FILE: cannot read", nil},
		{"empty file", map[string]string{"TWILIO_AUTH_TOKEN_FILE": empty}, "TWILIO_AUTH_TOKEN_FILE", nil},
		{"secret key not base64", map[string]string{"HERALD_SECRET_KEY": "hunter2-key!!"}, "HERALD_SECRET_KEY", []string{"hunter2"}},
		{"twilio token as the SID", map[string]string{"TWILIO_ACCOUNT_SID": "hunter2-sid", "TWILIO_AUTH_TOKEN": "x", "TWILIO_FROM_NUMBER": "+14155550100"},
			"TWILIO_ACCOUNT_SID", []string{"hunter2"}},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		// worker reads the providers' settings before it opens the database.
		env := map[string]string{"HERALD_DATABASE_URL": "sqlite:" + filepath.Join(dir, "herald.db")}
		for k, v := range tt.env {
			env[k] = v
		}
		err := run(context.Background(), []string{"worker"}, mapEnv(env), &out, &out)
		if err == nil {
			t.Errorf("%s: herald migrate started", tt.name)
			continue
		}
		msg := err.Error() + out.String()
		if !strings.Contains(msg, tt.want) {
			t.Errorf("%s: error %q does not say %q", tt.name, msg, tt.want)
		}
		for _, s := range tt.secrets {
			if strings.Contains(msg, s) {
				t.Errorf("%s: error %q shows the secret %q", tt.name, msg, s)
			}
		}
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://herald:pw@db:5432/herald?sslmode=disable": "postgres://herald:xxxxx@db:5432/herald?sslmode=disable",
		"sqlite:/data/herald.db":                              "sqlite:/data/herald.db",
		"postgres://db/herald?password=pw":                    "postgres://db/herald?password=xxxxx",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
