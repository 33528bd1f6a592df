package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"herald"
)

// tenantJSON is a tenant as the commands print it, like the admin API.
type tenantJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	Disabled   bool       `json:"disabled"`
	DisabledAt *time.Time `json:"disabled_at"`
}

func printTenant(w io.Writer, t herald.Tenant) error {
	return json.NewEncoder(w).Encode(tenantJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, Disabled: t.Disabled(), DisabledAt: t.DisabledAt})
}

const tenantUsage = "usage: herald tenant create --name NAME | list | disable ID | enable ID"

func tenantCommand(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(tenantUsage)
	}
	switch args[0] {
	case "create":
		return tenantCreate(ctx, cfg, args[1:], stdout)
	case "list":
		return withApp(ctx, cfg, func(app *App) error {
			page := herald.PageRequest{Limit: herald.MaxPageLimit}
			for {
				tenants, err := app.store.ListTenants(ctx, page)
				if err != nil {
					return err
				}
				for _, t := range tenants.Items {
					if err := printTenant(stdout, herald.Tenant{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, DisabledAt: t.DisabledAt}); err != nil {
						return err
					}
				}
				if tenants.NextCursor == "" {
					return nil
				}
				page.Cursor = tenants.NextCursor
			}
		})
	case "disable", "enable":
		if len(args) != 2 {
			return errors.New(tenantUsage)
		}
		return withApp(ctx, cfg, func(app *App) error {
			t, err := app.store.SetTenantDisabled(ctx, args[1], args[0] == "disable")
			if err != nil {
				return fmt.Errorf("tenant %s: %w", args[0], err)
			}
			return printTenant(stdout, t)
		})
	}
	return errors.New(tenantUsage)
}

const keyUsage = "usage: herald key create --tenant ID | list --tenant ID | revoke --tenant ID KEY_ID"

func keyCommand(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(keyUsage)
	}
	fs := flag.NewFlagSet("key "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	tenantID := fs.String("tenant", "", "the tenant's id")
	if err := fs.Parse(args[1:]); err != nil || *tenantID == "" {
		return errors.New(keyUsage)
	}
	enc := json.NewEncoder(stdout)
	switch {
	case args[0] == "create" && fs.NArg() == 0:
		return withApp(ctx, cfg, func(app *App) error {
			k, key, err := app.store.CreateAPIKey(ctx, *tenantID)
			if err != nil {
				return fmt.Errorf("key create: %w", err)
			}
			return enc.Encode(map[string]any{"id": k.ID, "prefix": k.Prefix, "created_at": k.CreatedAt, "api_key": key})
		})
	case args[0] == "list" && fs.NArg() == 0:
		return withApp(ctx, cfg, func(app *App) error {
			keys, err := app.store.ListAPIKeys(ctx, *tenantID)
			if err != nil {
				return err
			}
			for _, k := range keys {
				if err := enc.Encode(k); err != nil {
					return err
				}
			}
			return nil
		})
	case args[0] == "revoke" && fs.NArg() == 1:
		return withApp(ctx, cfg, func(app *App) error {
			if err := app.store.RevokeAPIKey(ctx, *tenantID, fs.Arg(0)); err != nil {
				return fmt.Errorf("key revoke: %w", err)
			}
			return enc.Encode(map[string]any{"id": fs.Arg(0), "revoked": true})
		})
	}
	return errors.New(keyUsage)
}

// withApp runs fn on the configured database, without the worker.
func withApp(ctx context.Context, cfg Config, fn func(*App) error) error {
	app, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer app.Close()
	return fn(app)
}
