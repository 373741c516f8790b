package tui

// panelDefs is the dashboard's grid in focus order: one line per panel,
// each panel defined in its own file.
var panelDefs = []*PanelDef{
	{ID: "routing", Metrics: []string{"lb.", "backend."}, New: func(c *Common) Panel { return NewRoutingPanel(c) }},
	{ID: "latency", Metrics: []string{"latency.", "requests.", "errors.", "load."}, New: func(c *Common) Panel { return NewLatencyPanel(c) }},
	{ID: "cache", Metrics: []string{"cache."}, New: func(c *Common) Panel { return NewCachePanel(c) }},
	{ID: "shards", Metrics: []string{"shard."}, New: func(c *Common) Panel { return NewShardsPanel(c) }},
	{ID: "queue", Metrics: []string{"queue."}, New: func(c *Common) Panel { return NewQueuePanel(c) }},
	{ID: "breaker", Metrics: []string{"breaker.", "orders."}, New: func(c *Common) Panel { return NewBreakerPanel(c) }},
	{ID: "traces", Metrics: []string{"trace."}, New: func(c *Common) Panel { return NewTracesPanel(c) }},
	{ID: "events", Metrics: []string{"events."}, New: func(c *Common) Panel { return NewEventsPanel(c) }},
}

// lookupPanel finds a panel by id, or returns -1.
func lookupPanel(id string) int {
	for i, d := range panelDefs {
		if d.ID == id {
			return i
		}
	}
	return -1
}

// PanelIDs lists the panels' ids in focus order (lessons name panels by
// them).
func PanelIDs() []string {
	out := make([]string, len(panelDefs))
	for i, d := range panelDefs {
		out[i] = d.ID
	}
	return out
}

// panelFor is the panel that draws most of the given metrics (a tie goes
// to the earliest), and whether any draws one.
func panelFor(metrics []string) (string, bool) {
	count := make([]int, len(panelDefs))
	best := -1
	for _, m := range metrics {
		for i, d := range panelDefs {
			if d.Shows(m) {
				count[i]++
				if best < 0 || count[i] > count[best] || (count[i] == count[best] && i < best) {
					best = i
				}
				break
			}
		}
	}
	if best < 0 {
		return "", false
	}
	return panelDefs[best].ID, true
}
