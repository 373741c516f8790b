package lab

import (
	"fmt"

	"github.com/scalelab/scalelab/lab/args"
)

var ordersCommand = command("orders", func() action { return &ordersAction{} },
	"tune the event store of orders: snapshot each order every N events, so a checkout's rebuild replays fewer than N, or never (off); each order follows it from its next checkout",
	"orders snapshot every=50")

type ordersAction struct {
	snapshot bool
	every    args.Opt[int] // 0: off
}

func (a *ordersAction) declare(s *args.Set) {
	snap := s.Or("snapshot", &a.snapshot)
	snap.Func("every", "N|off", []string{"off"}, func(v string) error {
		if v == "off" {
			a.every = args.Opt[int]{V: 0, Set: true}
			return nil
		}
		n, err := args.ParseInt(v, 1, MaxSnapshotEvery)
		if err != nil {
			return fmt.Errorf("%w: give the events between snapshots, or off", err)
		}
		a.every = args.Opt[int]{V: n, Set: true}
		return nil
	})
	snap.NeedOne()
}

func (a *ordersAction) apply(l *Lab) error {
	if l.orders == nil {
		return fmt.Errorf("orders: the %s preset has no checkouts, so no event store of orders", l.preset.Name)
	}
	l.orders.setSnapshotEvery(a.every.V)
	detail := fmt.Sprintf("a snapshot of each order every %d events", a.every.V)
	if a.every.V == 0 {
		detail = "snapshots of orders off"
	}
	l.event(Event{Kind: KindState, Component: "orders", Detail: detail})
	return nil
}
