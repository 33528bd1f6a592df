package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"herald/httpapi"
	"herald/schedule"
	"herald/sqlstore"
)

// App is Herald wired together: database, job engine, store and HTTP
// server. Tests run it on port 0.
type App struct {
	cfg    Config
	logger *slog.Logger
	db     *sqlstore.DB
	river  *river.Client[*sql.Tx]
	store  *sqlstore.Store
}

// openApp opens the database (migrating an embedded SQLite file, and
// checking that PostgreSQL has been migrated) and builds the store.
func openApp(ctx context.Context, cfg Config, logger *slog.Logger) (*App, error) {
	db, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if db.Name() == "sqlite" {
		err = db.Migrate(ctx)
	} else {
		err = db.CheckMigrated(ctx)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	client, err := schedule.NewInsertClient(db.RiverDriver())
	if err != nil {
		db.Close()
		return nil, err
	}
	store := sqlstore.New(db, schedule.NewJobs(client), sqlstore.Options{MaxRetries: cfg.MaxRetries})
	return &App{cfg: cfg, logger: logger, db: db, river: client, store: store}, nil
}

// Close releases the database.
func (a *App) Close() error { return a.db.Close() }

// Handler returns the HTTP handler of the API.
func (a *App) Handler() http.Handler {
	api := &httpapi.Server{Store: a.store, AdminToken: a.cfg.AdminToken, Logger: a.logger}
	return api.Handler()
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func serve(ctx context.Context, cfg Config, logger *slog.Logger) error {
	app, err := openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("HERALD_ADDR=%s: %w", cfg.Addr, err)
	}
	logger.Info("herald serving", "addr", ln.Addr().String(), "database", app.db.Name(), "version", Version)
	if cfg.AdminToken == "" {
		logger.Info("admin API disabled: set HERALD_ADMIN_TOKEN to create tenants over HTTP, or use herald tenant create")
	}
	return app.Serve(ctx, ln)
}
