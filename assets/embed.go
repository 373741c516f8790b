// Package assets holds the files scalelab ships inside its binary: topology
// presets (JSON, one per file in presets/).
package assets

import "embed"

// Presets holds presets/*.json; a preset's name is its file name without .json.
//
//go:embed presets/*.json
var Presets embed.FS
