// Package assets holds the files scalelab ships inside its binary: topology
// presets (JSON, one per file in presets/), example scripts (one per file
// in scripts/, runnable with "scalelab run --script NAME") and talks for a
// workshop (one per file in talks/, stepped with "scalelab present NAME").
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

// Talks holds talks/*.lab: scripts cut into steps at blank lines, with
// speaker notes as comments; a talk's name is its file name without .lab.
//
//go:embed talks/*.lab
var Talks embed.FS
