// Package assets holds the files scalelab ships inside its binary: topology
// presets (JSON, one per file in presets/) and example scripts (one per
// file in scripts/, runnable with "scalelab run --script NAME").
package assets

import "embed"

// Presets holds presets/*.json; a preset's name is its file name without .json.
//
//go:embed presets/*.json
var Presets embed.FS

// Scripts holds scripts/*.lab; a script's name is its file name without
// .lab, and its first comment line says what it shows.
//
//go:embed scripts/*.lab
var Scripts embed.FS
