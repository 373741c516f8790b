package lab

import (
	"time"

	"github.com/scalelab/scalelab/components/backend"
)

// shardsStats measures the database tier: the shards, their primaries and
// replicas, and how reads and writes are replicated and routed. The
// servers' stats must be in snap already.
func (l *Lab) shardsStats(snap *Snapshot, now time.Time) *ShardsStats {
	cs := l.cluster.Stats()
	out := &ShardsStats{Strategy: cs.Strategy, Count: len(cs.Shards), MovedKeys: cs.LastMoved, MovedTotal: cs.TotalMoved}
	t := l.tier
	t.mu.Lock()
	out.Replicas, out.Lag, out.Sync = t.count, t.lag, t.sync
	type members struct {
		primary   string
		names     []string
		lost      uint64
		failovers int
	}
	byShard := make(map[string]members, len(t.shards))
	for name, rs := range t.shards {
		byShard[name] = members{rs.primary, append([]string(nil), rs.members...), rs.set.Lost(), rs.failovers}
	}
	t.mu.Unlock()
	out.Reads, out.Sticky, out.Auto = ReadRouting(t.reads.Load()), time.Duration(t.sticky.Load()), t.auto.Load()
	out.LostWrites = t.lostWrites()
	for _, sh := range cs.Shards {
		m := byShard[sh.Name]
		info := ShardInfo{Name: sh.Name, Primary: m.primary, Load: ShardLoad{Keys: sh.Keys}, Lost: m.lost, Failovers: m.failovers}
		if p := snap.Server(m.primary); p != nil {
			info.Writable = p.Health != backend.Down
			if p.Shard != nil {
				info.Load.Reads += p.Shard.Reads
				info.Load.Writes = p.Shard.Writes
			}
		}
		for _, n := range m.names {
			ri := ReplicaInfo{Name: n}
			if s := l.server(n); s != nil && s.replica() != nil {
				ri.Lag = s.replica().Lag(now)
			}
			if v := snap.Server(n); v != nil {
				ri.Health = v.Health
				if v.Shard != nil {
					info.Load.Reads += v.Shard.Reads
				}
			}
			info.Replicas = append(info.Replicas, ri)
		}
		out.Shards = append(out.Shards, info)
	}
	return out
}
