package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// This file holds the panels' compact number formats and text layout.

// wrapTokens lays tokens (possibly styled) out in lines at most w cells
// wide, sep between tokens on a line; a token wider than w gets a line of
// its own (frame cuts it).
func wrapTokens(tokens []string, w int, sep string) []string {
	var lines []string
	var cur string
	cw := 0
	sw := lipgloss.Width(sep)
	for _, t := range tokens {
		tw := lipgloss.Width(t)
		switch {
		case cur == "":
			cur, cw = t, tw
		case cw+sw+tw <= w:
			cur += sep + t
			cw += sw + tw
		default:
			lines = append(lines, cur)
			cur, cw = t, tw
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// msText formats a latency for a panel: "2.1ms", "31.0ms", "230ms", "1.25s".
func msText(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 1000:
		return fmt.Sprintf("%.2fs", ms/1000)
	case ms >= 100:
		return fmt.Sprintf("%.0fms", ms)
	}
	return fmt.Sprintf("%.1fms", ms)
}

// pctText formats a 0..1 ratio as a percentage: "1.2%".
func pctText(r float64) string { return fmt.Sprintf("%.1f%%", r*100) }

// rateText formats a per-second rate: whole numbers, or one decimal below 10.
func rateText(r float64) string {
	if r != 0 && math.Abs(r) < 10 && r != math.Trunc(r) {
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.0f", r)
}

// fit cuts or pads text to exactly w columns and h lines.
func fit(text string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(text, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = truncate(l, w)
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// truncate cuts a possibly styled line to w cells.
func truncate(s string, w int) string {
	return lipgloss.NewStyle().MaxWidth(max(w, 0)).Render(s)
}

// padLine cuts or pads a styled line to exactly w cells.
func padLine(s string, w int) string {
	s = truncate(s, w)
	return s + strings.Repeat(" ", max(w-lipgloss.Width(s), 0))
}

// bar renders a horizontal bar of width w filled to frac (0..1).
func bar(s *Styles, frac float64, w int) string {
	if w <= 0 {
		return ""
	}
	frac = min(max(frac, 0), 1)
	full := int(frac*float64(w) + 0.5)
	return s.Bar.Render(strings.Repeat("█", full)) + s.BarEmpty.Render(strings.Repeat("░", w-full))
}

// hangWrap breaks a possibly styled line into lines at most w cells wide,
// at spaces where it can, the lines after the first indented by indent
// cells (a hanging indent, as a log's continued entries are). Each piece
// carries the styles open where it starts and resets at its end, so a
// colour never runs on into the frame. Too narrow to wrap usefully, the
// line is returned whole for the frame to cut.
func hangWrap(line string, w, indent int) []string {
	total := ansi.StringWidth(line)
	if total <= w || w < indent+8 {
		return []string{line}
	}
	// The cell each rune of the plain text starts at, and whether it is a space.
	type cell struct {
		at    int
		space bool
	}
	var cells []cell
	at := 0
	for _, r := range ansi.Strip(line) {
		cells = append(cells, cell{at, r == ' '})
		at += ansi.StringWidth(string(r))
	}
	var out []string
	start, room := 0, w
	for i := 0; total-start > room; {
		end := start + room
		// The last space that ends the piece within room, if any.
		brk := -1
		for ; i < len(cells) && cells[i].at <= end; i++ {
			if cells[i].space && cells[i].at > start {
				brk = i
			}
		}
		cut := end
		if brk >= 0 {
			cut = cells[brk].at
		}
		out = append(out, ansi.Cut(line, start, cut))
		start = cut
		for i = 0; i < len(cells) && cells[i].at < start; i++ {
		}
		for ; i < len(cells) && cells[i].space; i++ {
			start = cells[i].at + 1
		}
		room = w - indent
	}
	if start < total {
		out = append(out, ansi.Cut(line, start, total))
	}
	pad := strings.Repeat(" ", indent)
	for i, piece := range out {
		if strings.Contains(line, "\x1b[") {
			piece += ansi.ResetStyle
		}
		if i > 0 {
			piece = pad + piece
		}
		out[i] = piece
	}
	return out
}
