package main

import (
	"net/http"
	"net/http/pprof"
	"os"
)

// withProfiling serves Go's profiler under /debug/pprof/ beside h when
// HERALD_PPROF=1, for measuring a running Herald (heraldbench -pprof). It
// is off by default: profiles show internals and cost CPU while taken.
func withProfiling(h http.Handler) http.Handler {
	if os.Getenv("HERALD_PPROF") != "1" {
		return h
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/", h)
	return mux
}
