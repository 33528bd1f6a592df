// Command herald runs the Herald reminder service: its API, its worker,
// migrations and tenant administration.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	// Zone data inside the binary: a machine without tzdata still renders
	// times in the lead's zone.
	_ "time/tzdata"

	"herald"
	"herald/sqlstore"
)

const usage = `Usage: herald <command> [flags]

Commands:
  serve                      API, webhooks, dashboard and worker in one process
  worker                     the reminder worker alone
  migrate                    apply the schema migrations to the configured database
  tenant create --name NAME  create a tenant and print its API key (shown once)
  tenant list                list the tenants, one JSON object a line
  tenant disable|enable ID   disable a tenant (keys refused, reminders held) or enable it
  key create --tenant ID     create another API key of a tenant (shown once)
  key list --tenant ID       list a tenant's API keys by prefix
  key revoke --tenant ID KEY_ID  revoke an API key at once
  backup --to FILE           write a consistent copy of the SQLite database
  healthcheck [--addr ADDR]  exit 0 when the herald at ADDR is ready (container health checks)
  sms-test --to NUMBER       send one test SMS through the configured providers
  email-test --to ADDRESS    send one test email through the configured SMTP server
  version                    print the version

Configuration comes from environment variables; see the README.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "herald:", err)
		os.Exit(1)
	}
}

// errUsage reports a command line that names no known command.
var errUsage = errors.New("unknown command; run herald help")

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "version":
		fmt.Fprintln(stdout, "herald", readBuildInfo())
		return nil
	}
	getenv, err := withSecretFiles(getenv)
	if err != nil {
		return err
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, logger)
	case "worker":
		return work(ctx, cfg, logger)
	case "migrate":
		return migrate(ctx, cfg, logger)
	case "tenant":
		return tenantCommand(ctx, cfg, args[1:], stdout)
	case "key":
		return keyCommand(ctx, cfg, args[1:], stdout)
	case "backup":
		return backup(ctx, cfg, args[1:], stdout)
	case "healthcheck":
		return healthcheck(ctx, cfg, args[1:], stdout)
	case "sms-test":
		return sendCheck(ctx, cfg, herald.ChannelSMS, args[1:], stdout)
	case "email-test":
		return sendCheck(ctx, cfg, herald.ChannelEmail, args[1:], stdout)
	}
	fmt.Fprint(stderr, usage)
	return errUsage
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func migrate(ctx context.Context, cfg Config, logger *slog.Logger) error {
	db, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	logger.Info("database migrated", "database", db.Name())
	return nil
}

func tenantCreate(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("tenant create", flag.ContinueOnError)
	name := fs.String("name", "", "the tenant's name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" {
		return errors.New("tenant create: --name is required")
	}
	app, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer app.Close()
	t, key, err := app.store.CreateTenant(ctx, *name)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]string{"id": t.ID, "name": t.Name, "api_key": key})
}
