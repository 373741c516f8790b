package lab

import (
	"math"
	"strconv"
	"strings"
)

// FormatNumber renders a number for people: at most prec decimals,
// trailing zeros dropped ("0.8", "12.35", "0"); non-finite values as "NaN",
// "+Inf", "-Inf". It is the one number format of the lab's text: messages,
// checklists, reports.
func FormatNumber(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// FormatMetric renders a value of the named metric in its unit: a state
// as its word, a share as a percentage, milliseconds as "12.3ms", seconds
// as "1.5s", the speed as "×2", rates with their unit. An unknown name is
// rendered as a plain number.
func FormatMetric(name string, v float64) string {
	m, err := LookupMetric(name)
	if err != nil {
		return FormatNumber(v, 4)
	}
	return m.Format(v)
}

// Format renders v in the metric's unit (see FormatMetric).
func (m MetricInfo) Format(v float64) string {
	if i := int(v); m.States != nil && float64(i) == v && i >= 0 && i < len(m.States) {
		return m.States[i]
	}
	switch m.Unit {
	case UnitShare:
		return FormatNumber(100*v, 1) + "%"
	case UnitMS:
		return FormatNumber(v, 1) + "ms"
	case UnitSeconds:
		return FormatNumber(v, 1) + "s"
	case UnitSpeed:
		return "×" + FormatNumber(v, 2)
	case UnitCount, UnitBool, UnitState:
		return FormatNumber(v, 2)
	}
	return FormatNumber(v, 1) + " " + m.Unit
}

// FormatMeasure renders a measurement with a precision that suits its
// size, for tables: "1234", "12.3", "1.23".
func FormatMeasure(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100 || v == math.Trunc(v):
		return FormatNumber(v, 0)
	case a >= 10:
		return FormatNumber(v, 1)
	}
	return FormatNumber(v, 2)
}
