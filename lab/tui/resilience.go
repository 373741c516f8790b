package tui

// The resilience and elasticity sections of existing panels: the web
// fleet's warming, draining and unlisted servers and the autoscaler (in
// Routing), the rate limiter (in Latency), the deadline and retries of
// payments calls (in Breaker). Each shows only when there is something to
// say, so a lab that uses none of them looks as it did.

import (
	"fmt"
	"slices"

	"github.com/scalelab/scalelab/lab"
)

// fleetWord is what the Routing panel writes instead of a web server's bar
// when it gets no traffic by design: warming, draining or unlisted; "" for
// none.
func fleetWord(v lab.View, name string) string {
	if st := v.Server(name); st == nil || st.Role != lab.RoleWeb {
		return ""
	}
	switch {
	case slices.Contains(v.Fleet.WarmingNames, name):
		return "warming"
	case slices.Contains(v.Fleet.DrainingNames, name):
		return "draining"
	case v.Discovery.On && !slices.Contains(v.Discovery.Listed, name):
		return "unlisted"
	}
	return ""
}

// fleetMark is fleetWord as the map marks it, short enough for a node.
func fleetMark(v lab.View, name string) string {
	switch fleetWord(v, name) {
	case "warming":
		return "↑ warm"
	case "draining":
		return "↓ drain"
	case "unlisted":
		return "○ unlisted"
	}
	return ""
}

// autoscaleLine is the autoscaler at work, like a target-tracking graph in
// one line: utilisation against target, and desired against actual.
func autoscaleLine(s *Styles, f lab.FleetStats) string {
	if !f.Autoscale {
		return ""
	}
	util := pctText(f.Utilization)
	if f.Utilization > f.Target {
		util = s.Warn.Render(util)
	}
	line := fmt.Sprintf("autoscale util %s / target %s · want %d · have %d", util, pctText(f.Target), f.Desired, f.Serving+f.Warming)
	if f.Warming > 0 {
		line += fmt.Sprintf(" (%d warming)", f.Warming)
	}
	return line
}

// limitToken is the rate limiter's part of the Latency panel's rate line.
func limitToken(s *Styles, l lab.LimitStats) string {
	if !l.On && l.Ratio == 0 {
		return ""
	}
	text := "limited " + pctText(l.Ratio) + " (" + rateText(l.Rejected) + "/s)"
	if l.On {
		text += s.Dim.Render(fmt.Sprintf(" of %s/s", rateText(l.Rate)))
	}
	return text
}

// callsTokens are the deadline and retries of calls to the breaker's
// dependency, and what they came to, as tokens to wrap; none when it makes
// no retries and times nothing out.
func callsTokens(s *Styles, c *lab.CallStats) []string {
	if c == nil || (c.Retry.Attempts <= 1 && c.Timeouts == 0) {
		return nil
	}
	out := []string{"timeout " + c.Timeout.String()}
	if c.Timeouts > 0 {
		out = append(out, s.Warn.Render(rateText(c.Timeouts)+"/s timed out"))
	}
	if r := c.Retry; r.Attempts > 1 {
		retries := fmt.Sprintf("retries %d×", r.Attempts)
		if r.Base > 0 {
			retries += fmt.Sprintf(" %s %s", r.Base, r.Jitter)
		} else {
			retries += " at once"
		}
		out = append(out, retries)
		if c.Budget > 0 {
			out = append(out, fmt.Sprintf("budget %.0f%%", c.Budget*100))
		}
		amp := fmt.Sprintf("×%.2f calls", c.Amplification)
		if c.Amplification >= 2 {
			amp = s.Bad.Render(amp)
		}
		out = append(out, amp, "ok "+pctText(c.SuccessRatio))
	}
	return out
}
