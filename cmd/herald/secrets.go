package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// secretVariables are the variables that may hold a secret. Each one X may
// instead be given as X_FILE, the path of a file holding the value (a
// container or systemd credential), so the secret stays out of the
// process environment and of `ps e`.
var secretVariables = []string{
	"HERALD_DATABASE_URL", "HERALD_ADMIN_TOKEN", "HERALD_SECRET_KEY",
	"VONAGE_API_KEY", "VONAGE_API_SECRET", "VONAGE_SIGNATURE_SECRET",
	"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
	"SMTP_USERNAME", "SMTP_PASSWORD",
}

// withSecretFiles returns a getenv that answers each secret variable from
// its _FILE when that is set. A trailing newline of the file is dropped.
// Setting both X and X_FILE, or naming a file that cannot be read or is
// empty, is an error that names the variable and never shows the value.
func withSecretFiles(getenv func(string) string) (func(string) string, error) {
	values := map[string]string{}
	var errs []string
	for _, name := range secretVariables {
		path := getenv(name + "_FILE")
		if path == "" {
			continue
		}
		if getenv(name) != "" {
			errs = append(errs, fmt.Sprintf("%s and %s_FILE are both set: keep one", name, name))
			continue
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s_FILE: cannot read %s: %v", name, path, unwrapPathError(err)))
			continue
		}
		v := strings.TrimRight(string(raw), "\r\n")
		if v == "" {
			errs = append(errs, fmt.Sprintf("%s_FILE: %s is empty", name, path))
			continue
		}
		values[name] = v
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return func(name string) string {
		if v, ok := values[name]; ok {
			return v
		}
		return getenv(name)
	}, nil
}

// unwrapPathError drops the path os.ReadFile repeats in its error.
func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// redactURL returns a database URL fit for a message: its password is
// replaced by xxxxx. A value that does not parse is not shown at all, as
// it may be a password pasted in the wrong place.
func redactURL(raw string) string {
	if strings.HasPrefix(raw, "sqlite:") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "(a value that is not a URL)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
