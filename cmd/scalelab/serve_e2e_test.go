package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The workshop server with the real OpenSSH client: two attendees in
// terminals of their own (tmux) each get the lesson picker and a lab of
// their own, a key not on the list is refused, and SIGTERM ends both
// sessions with a message and writes their logs.
func TestServeSSHEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: builds the binary and runs OpenSSH in tmux")
	}
	for _, tool := range []string{"ssh", "ssh-keygen", "tmux"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	bin := buildScalelab(t)
	dir := t.TempDir()
	keys := map[string]string{}
	var authorized []byte
	for _, who := range []string{"alice", "bob", "stranger"} {
		k := filepath.Join(dir, who)
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", k).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
		keys[who] = k
		if who != "stranger" {
			pub, _ := os.ReadFile(k + ".pub")
			authorized = append(authorized, pub...)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "class.keys"), authorized, 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	logs := filepath.Join(dir, "logs")
	srv := exec.Command(bin, "serve", "--ssh", "127.0.0.1:"+port, "--authorized-keys", filepath.Join(dir, "class.keys"), "--logs", logs)
	srv.Env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	var out strings.Builder
	srv.Stdout, srv.Stderr = &out, &out
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	defer func() {
		if srv.ProcessState == nil {
			_ = srv.Process.Kill()
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not listen:\n%s", out.String())
		}
	}
	ssh := func(who string) string {
		return "ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o LogLevel=ERROR -i " +
			keys[who] + " -p " + port + " " + who + "@127.0.0.1"
	}
	if b, err := exec.Command("sh", "-c", ssh("stranger")+" -o BatchMode=yes -T true").CombinedOutput(); err == nil || !strings.Contains(string(b), "Permission denied") {
		t.Errorf("a key not on the list: %v\n%s", err, b)
	}
	panes := map[string]*tmuxPane{}
	for _, who := range []string{"alice", "bob"} {
		p := startTmux(t, 100, 30, ssh(who)+"; echo ssh exited $?; sleep 60")
		p.waitFor(who+"'s lesson picker", 20*time.Second, contains("scalelab lessons", "Round-robin"))
		panes[who] = p
	}
	for _, p := range panes {
		p.key("Enter")
		p.waitFor("the first lesson", 20*time.Second, contains("Step 1/"))
	}
	// A command typed in alice's lab runs there, not in bob's.
	panes["alice"].keys(":kill web-3")
	panes["alice"].key("Enter")
	panes["alice"].waitFor("alice's kill", 10*time.Second, contains("✔ kill web-3"))
	if s := panes["bob"].screen(); strings.Contains(s, "kill web-3") {
		t.Errorf("alice's command shows on bob's screen:\n%s", s)
	}
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the server exited with %v after SIGTERM:\n%s", err, out.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the server did not stop on SIGTERM:\n%s", out.String())
	}
	for who, p := range panes {
		p.waitFor(who+" told of the shutdown", 10*time.Second, contains("the workshop server is shutting down", "ssh exited 0"))
		found, _ := filepath.Glob(filepath.Join(logs, who+"-*-load-balancing.jsonl"))
		if len(found) != 1 {
			t.Errorf("%s's logs: %v, want one for the lesson", who, found)
			continue
		}
		b, _ := os.ReadFile(found[0])
		if !strings.Contains(string(b), `"user":"`+who+` (SHA256:`) || !strings.Contains(string(b), `"final":true`) {
			t.Errorf("%s's log lacks the user or its final line:\n%.300s", who, b)
		}
	}
}
