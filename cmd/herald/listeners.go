package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultMetricsAddr is where `herald worker` serves /healthz, /readyz and
// /metrics when HERALD_METRICS_ADDR is not set.
const DefaultMetricsAddr = ":9090"

// opsHandler answers /healthz (the process runs), /readyz (it reaches its
// database) and /metrics, for a worker that has no API.
func (a *App) opsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.db.PingContext(ctx); err != nil {
			a.logger.WarnContext(r.Context(), "database not ready", "error", err)
			writeStatus(w, http.StatusServiceUnavailable, "unavailable")
			return
		}
		writeStatus(w, http.StatusOK, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{}))
	return mux
}

func writeStatus(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": status})
}

// listenOps opens the metrics listener at addr ("" or "off": none) and
// serves it until stop is called, which shuts it down by the deadline.
func (a *App) listenOps(addr string) (stop func(deadline time.Time), err error) {
	if addr == "" || addr == "off" {
		return func(time.Time) {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("HERALD_METRICS_ADDR=%s: %w", addr, err)
	}
	srv := &http.Server{Handler: a.opsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	a.logger.Info("Metrics listening", "addr", ln.Addr().String())
	return func(deadline time.Time) {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// healthcheck asks the herald at addr whether it is ready and fails when
// it is not: the container's health check, as the image has no curl.
func healthcheck(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", cfg.Addr, "the address herald listens on (HERALD_ADDR; a worker's HERALD_METRICS_ADDR)")
	if err := fs.Parse(args); err != nil {
		return errors.New("usage: herald healthcheck [--addr HOST:PORT]")
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("healthcheck: %q is not HOST:PORT", *addr)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port) + "/readyz"
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}

// serve runs the API and the worker until ctx ends. Then HTTP requests and
// sends in flight get HERALD_SHUTDOWN_TIMEOUT together to finish: both
// stop at once, by one deadline.
func serve(ctx context.Context, cfg Config, logger *slog.Logger) error {
	cfg.serving, cfg.claim = true, "herald serve"
	app, err := openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("HERALD_ADDR=%s: %w", cfg.Addr, err)
	}
	stopOps, err := app.listenOps(cfg.MetricsAddr)
	if err != nil {
		ln.Close()
		return err
	}
	if err := app.StartWorker(ctx); err != nil {
		ln.Close()
		stopOps(time.Now())
		return err
	}
	logger.Info("herald serving", "addr", ln.Addr().String(), "database", app.db.Name(), "version", readBuildInfo().Version)
	if cfg.AdminToken == "" {
		logger.Info("admin API disabled: set HERALD_ADMIN_TOKEN to create tenants over HTTP, or use herald tenant create")
	}
	serveCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	workerStopped := make(chan struct{})
	go func() {
		defer close(workerStopped)
		<-serveCtx.Done()
		app.stopWorkerBy(app.stopDeadline())
	}()
	err = app.Serve(serveCtx, ln)
	cancel()
	<-workerStopped
	stopOps(app.stopDeadline())
	return err
}

// work runs the worker alone until ctx ends, with its metrics listener.
func work(ctx context.Context, cfg Config, logger *slog.Logger) error {
	cfg.claim = "herald worker"
	app, err := openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer app.Close()
	stopOps, err := app.listenOps(or(cfg.MetricsAddr, DefaultMetricsAddr))
	if err != nil {
		return err
	}
	if err := app.StartWorker(ctx); err != nil {
		stopOps(time.Now())
		return err
	}
	<-ctx.Done()
	deadline := app.stopDeadline()
	app.stopWorkerBy(deadline)
	stopOps(deadline)
	return nil
}
