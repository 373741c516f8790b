package serve

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// MemoryBudget is what 20 attendees in a lesson (the first, at its
// default load) may cost the server process, in MiB of resident memory
// over what it used before they came. Measured on a 2-core machine:
// see the README ("Running a workshop"), and run
//
//	go test ./lab/serve -run Memory -v
//
// to measure again.
const MemoryBudget = 200

// rssMiB is the process's resident set size (Linux), or 0.
func rssMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func heapMiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

// 20 concurrent attendees, each in the first lesson at its default load,
// stay within the memory budget.
func TestMemoryTwentySessions(t *testing.T) {
	if testing.Short() {
		t.Skip("20 SSH sessions with a lab each for several seconds")
	}
	if raceBuild {
		t.Skip("the race detector multiplies memory use; .ci/run measures this without -race")
	}
	const n = 20
	srv, addr := start(t, Config{Open: true, MaxSessions: n})
	kb := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })
	rss0, heap0 := rssMiB(), heapMiB()
	clients := make([]*client, n)
	var wg sync.WaitGroup
	for i := range clients {
		clients[i] = connect(t, addr, "attendee"+strconv.Itoa(i+1), kb)
		wg.Go(func() { clients[i].openLesson() })
	}
	wg.Wait()
	labs := waitLabs(t, srv, n)
	time.Sleep(5 * time.Second) // every lab under load, every screen drawing
	rss, heap := rssMiB(), heapMiB()
	var load float64
	for _, l := range labs {
		load += l.Snapshot().Load.Rate
	}
	t.Logf("%d sessions, each in a lesson lab (%.0f requests/s in all): RSS %.0f MiB (%.0f before, +%.0f), heap in use %.0f MiB (+%.0f), %.1f MiB RSS per session",
		n, load, rss, rss0, rss-rss0, heap, heap-heap0, (rss-rss0)/n)
	if rss0 > 0 && rss-rss0 > MemoryBudget {
		t.Errorf("20 sessions cost %.0f MiB of RSS, over the budget of %d MiB", rss-rss0, MemoryBudget)
	}
}
