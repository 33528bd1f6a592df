package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"herald/dbtest"
	"herald/vonage"
	"herald/webhook"
)

// TestServeMountsTheWebhooks checks the wiring: the webhook routes answer
// beside the API, verify with the secrets of the environment, and refuse
// what they cannot verify.
func TestServeMountsTheWebhooks(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			url := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
			if dbName == "postgres" {
				url = dbtest.PostgresSchema(t)
				if err := run(context.Background(), []string{"migrate"}, func(k string) string {
					return map[string]string{"HERALD_DATABASE_URL": url}[k]
				}, io.Discard, io.Discard); err != nil {
					t.Fatal(err)
				}
			}
			env := map[string]string{"HERALD_DATABASE_URL": url, "VONAGE_SIGNATURE_SECRET": "s3cret",
				"VONAGE_SIGNATURE_METHOD": "SHA512"}
			cfg, err := LoadConfig(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			app, err := openApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			defer app.Close()
			srv := httptest.NewServer(app.Handler())
			defer srv.Close()

			receipt := map[string]string{"messageId": "0B00000127FDBC63", "status": "delivered", "msisdn": "447700900000",
				"to": "AcmeInc", "client-ref": "evt-42", "timestamp": strconv.FormatInt(time.Now().Unix(), 10), "nonce": "n-" + dbName}
			post := func(p map[string]string) (int, string) {
				body, _ := json.Marshal(p)
				resp, err := http.Post(srv.URL+webhook.VonageReceiptPath, "application/json", strings.NewReader(string(body)))
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				raw, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(raw)
			}
			if status, body := post(receipt); status != http.StatusUnauthorized {
				t.Fatalf("unsigned receipt: %d %s", status, body)
			}
			receipt["sig"], _ = vonage.Sign("sha512", "s3cret", receipt)
			if status, body := post(receipt); status != http.StatusOK || !strings.Contains(body, `"result":"unmatched"`) {
				t.Fatalf("signed receipt for a message Herald never sent: %d %s", status, body)
			}
			resp, err := http.Post(srv.URL+webhook.TwilioStatusPath, "application/x-www-form-urlencoded",
				strings.NewReader("MessageSid=SM1&MessageStatus=delivered"))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("Twilio callback without TWILIO_AUTH_TOKEN: %d", resp.StatusCode)
			}
		})
	}
}
