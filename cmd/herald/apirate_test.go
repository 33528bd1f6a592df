package main

import (
	"strings"
	"testing"
)

// TestAPIRateConfig checks the request budget's defaults and that a bad
// value stops the start naming its variable.
func TestAPIRateConfig(t *testing.T) {
	t.Parallel()
	cfg, err := LoadConfig(mapEnv(map[string]string{}))
	if err != nil || cfg.APIRate != 100 || cfg.APIBurst != 200 {
		t.Fatalf("defaults = %v per second, bursts of %d (%v); want 100 and 200", cfg.APIRate, cfg.APIBurst, err)
	}
	cfg, err = LoadConfig(mapEnv(map[string]string{"HERALD_API_RATE": "0.5", "HERALD_API_BURST": "3"}))
	if err != nil || cfg.APIRate != 0.5 || cfg.APIBurst != 3 {
		t.Fatalf("set = %v, %d (%v)", cfg.APIRate, cfg.APIBurst, err)
	}
	for name, value := range map[string]string{"HERALD_API_RATE": "fast", "HERALD_API_BURST": "0"} {
		if _, err := LoadConfig(mapEnv(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: error %v does not name it", name, value, err)
		}
	}
}
