// Package lessons holds the lessons shipped inside scalelab: one Markdown
// file each, readable on GitHub and runnable in the lab (see lab/lesson for
// the format).
package lessons

import "embed"

// FS holds every shipped lesson file.
//
//go:embed *.md
var FS embed.FS
