package main

import (
	"runtime/debug"
	"strings"
)

// Version is set at build time with -ldflags "-X main.Version=…". Left
// empty, the version comes from the build information Go records: the
// module version of `go install herald/cmd/herald@v1.2.3`, or the VCS
// revision and time of a `go build` in a checkout.
var Version = ""

// buildInfo is what `herald version` prints and the herald_build_info
// metric carries.
type buildInfo struct {
	Version   string // v1.2.3, or "devel" when nothing better is known
	Revision  string // the VCS commit, with "-dirty" for uncommitted changes
	Time      string // the commit's time, RFC 3339
	GoVersion string
}

// String reads like "v1.2.3 (commit 1a2b3c4d5e6f, 2026-12-01T10:00:00Z, go1.26.8)".
func (b buildInfo) String() string {
	var parts []string
	if b.Revision != "" {
		parts = append(parts, "commit "+b.Revision)
	}
	if b.Time != "" {
		parts = append(parts, b.Time)
	}
	parts = append(parts, b.GoVersion)
	return b.Version + " (" + strings.Join(parts, ", ") + ")"
}

// readBuildInfo combines the stamped Version with what the binary knows
// of itself.
func readBuildInfo() buildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return buildInfo{Version: or(Version, "devel"), GoVersion: "unknown"}
	}
	return buildInfoFrom(Version, bi)
}

func buildInfoFrom(stamped string, bi *debug.BuildInfo) buildInfo {
	out := buildInfo{Version: stamped, GoVersion: bi.GoVersion}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			out.Revision = s.Value
		case "vcs.time":
			out.Time = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(out.Revision) > 12 {
		out.Revision = out.Revision[:12]
	}
	if dirty && out.Revision != "" {
		out.Revision += "-dirty"
	}
	if out.Version == "" {
		// "(devel)" is what go build in a checkout records; a pseudo-version
		// or a tag comes from go install of a module version.
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			out.Version = v
		} else {
			out.Version = "devel"
		}
	}
	return out
}
