package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openkcm/keystore/sdk/go/keystore"
	"google.golang.org/grpc/health/grpc_health_v1"
)

// identities of the clients in the authorization table
const (
	appID     = "spiffe://openkcm.test/app"
	otherID   = "spiffe://openkcm.test/other"
	readerID  = "CN=reader,O=OpenKCM e2e"
	expiredID = "spiffe://openkcm.test/expired"
	lateID    = "spiffe://openkcm.test/late"
)

// runtime is the built distribution, copied and started for this test run.
type runtime struct {
	dir, certs   string
	grpcPort     int
	cmd          *exec.Cmd
	out          *lockedBuffer
	ca           *pki
	testbackend  string
	clientsExtra []string
	plugins      []string // YAML of plugins: list items, each starting with "- name: ..."
}

var rt *runtime

func TestMain(m *testing.M) {
	r, err := startRuntime()
	if err != nil {
		if r != nil {
			r.stop()
			log.Printf("runtime output:\n%s", r.out.String())
		}
		log.Fatalf("e2e: cannot start the runtime: %v", err) // fail loudly, never skip
	}
	rt = r
	code := m.Run()
	r.stop()
	if code != 0 {
		log.Printf("runtime output (last 200 lines):\n%s", tail(r.out.String(), 200))
	}
	os.Exit(code)
}

func repoPath(rel string) string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "..", "..", "..", rel)
}

func startRuntime() (*runtime, error) {
	src := os.Getenv("OPENKCM_RUNTIME")
	if src == "" {
		src = repoPath("distribution/target/runtime")
	}
	if _, err := os.Stat(filepath.Join(src, "bin", "felix.jar")); err != nil {
		return nil, fmt.Errorf("no built runtime at %s (run ./mvnw -B package -pl distribution -am first): %w", src, err)
	}
	jar := os.Getenv("OPENKCM_TESTBACKEND_JAR")
	if jar == "" {
		jar = repoPath("testbackend-bundle/target/openkcm-keystore-testbackend-0.1.0-SNAPSHOT.jar")
	}
	if _, err := os.Stat(jar); err != nil {
		return nil, fmt.Errorf("no scratch test backend bundle at %s: %w", jar, err)
	}
	base, err := os.MkdirTemp("", "openkcm-grpc-e2e-")
	if err != nil {
		return nil, err
	}
	r := &runtime{dir: filepath.Join(base, "runtime"), certs: filepath.Join(base, "certs"), out: &lockedBuffer{}, testbackend: jar}
	if out, err := exec.Command("cp", "-a", src, r.dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("copying the runtime: %v: %s", err, out)
	}
	if err := os.RemoveAll(filepath.Join(r.dir, "cache")); err != nil {
		return nil, err
	}
	if err := r.makeCerts(); err != nil {
		return nil, err
	}
	if err := copyFile(jar, filepath.Join(r.dir, "bundles", "openkcm-keystore-testbackend.jar")); err != nil {
		return nil, err
	}
	if r.grpcPort, err = freePort(); err != nil {
		return nil, err
	}
	if err := r.writeConfig(); err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	r.cmd = exec.Command(filepath.Join(r.dir, "bin", "keystore"))
	r.cmd.Dir = r.dir
	r.cmd.Env = append(os.Environ(), fmt.Sprintf("OPENKCM_HTTP_PORT=%d", httpPort), "OPENKCM_CONSOLE_USER=e2e",
		"OPENKCM_CONSOLE_PASSWORD="+randomHex(16), "OPENKCM_LOG_LEVEL=INFO", "OPENKCM_KEYSTORE_DEV=false")
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	return r, r.awaitServing(90 * time.Second)
}

func (r *runtime) makeCerts() error {
	if err := os.MkdirAll(r.certs, 0o700); err != nil {
		return err
	}
	ca, err := newPKI(r.certs, "ca")
	if err != nil {
		return err
	}
	r.ca = ca
	if _, _, err := ca.issue("server", "", true, time.Now().Add(24*time.Hour)); err != nil {
		return err
	}
	for name, spiffe := range map[string]string{"app": appID, "other": otherID, "stranger": "spiffe://openkcm.test/stranger", "reader": "", "late": lateID} {
		if _, _, err := ca.issue(name, spiffe, false, time.Now().Add(24*time.Hour)); err != nil {
			return err
		}
	}
	_, _, err = ca.issue("expired", expiredID, false, time.Now().Add(-time.Hour))
	return err
}

func (r *runtime) clientTable() []string {
	return append([]string{
		"identity=" + appID + "; owners=tenant:acme,service:acme-*,tenant:swap,tenant:plug; ops=KeyService/*,KeystoreOperations/*",
		"identity=" + otherID + "; owners=tenant:other; ops=*",
		"identity=" + readerID + "; owners=tenant:acme,service:acme-*; ops=KeyService/GetKey,KeyService/ListKeys,KeyService/Encrypt,KeyService/Decrypt",
		"identity=" + expiredID + "; owners=*; ops=*",
	}, r.clientsExtra...)
}

func (r *runtime) writeConfig() error {
	var b strings.Builder
	fmt.Fprintf(&b, "routing:\n  rules:\n    - \"owner=tenant:swap -> scratch\"\n")
	if len(r.plugins) > 0 {
		fmt.Fprintf(&b, "    - \"owner=tenant:plug -> gobolt\"\n")
	}
	fmt.Fprintf(&b, "  default: inmemory\n")
	if len(r.plugins) > 0 {
		b.WriteString("plugins:\n")
		for _, p := range r.plugins {
			for _, line := range strings.Split(strings.TrimRight(p, "\n"), "\n") {
				b.WriteString("  " + line + "\n")
			}
		}
	}
	fmt.Fprintf(&b, "grpc:\n  host: 127.0.0.1\n  port: %d\n", r.grpcPort)
	fmt.Fprintf(&b, "  certFile: %s\n  keyFile: %s\n  clientCaFile: %s\n", r.cert("server"), r.key("server"), r.cert("ca"))
	fmt.Fprintf(&b, "  maxMessageBytes: 65536\n  reloadInterval: 300ms\n  clients:\n")
	for _, c := range r.clientTable() {
		fmt.Fprintf(&b, "    - %q\n", c)
	}
	tmp := filepath.Join(r.dir, "conf", "config.yaml.tmp")
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(r.dir, "conf", "config.yaml"))
}

func (r *runtime) cert(name string) string { return filepath.Join(r.certs, name+".pem") }
func (r *runtime) key(name string) string  { return filepath.Join(r.certs, name+"-key.pem") }
func (r *runtime) addr() string            { return fmt.Sprintf("127.0.0.1:%d", r.grpcPort) }

func (r *runtime) tlsFor(name string) keystore.MutualTLS {
	m := keystore.MutualTLS{CA: r.cert("ca"), ServerName: "localhost"}
	if name != "" {
		m.Cert, m.Key = r.cert(name), r.key(name)
	}
	return m
}

func (r *runtime) client(t testing.TB, name string) *keystore.Client {
	t.Helper()
	c, err := keystore.Dial(r.addr(), r.tlsFor(name))
	if err != nil {
		t.Fatalf("dial as %s: %v", name, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func (r *runtime) awaitServing(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if r.cmd.ProcessState != nil {
			return fmt.Errorf("runtime exited")
		}
		if ok := r.serving(); ok {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("gRPC not SERVING on %s within %s", r.addr(), limit)
}

func (r *runtime) serving() bool {
	c, err := keystore.Dial(r.addr(), r.tlsFor("app"))
	if err != nil {
		return false
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	resp, err := c.Health.Check(ctx, &grpc_health_v1.HealthCheckRequest{})
	return err == nil && resp.GetStatus() == grpc_health_v1.HealthCheckResponse_SERVING
}

func (r *runtime) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(s string, lines int) string {
	all := strings.Split(s, "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// lockedBuffer collects the runtime's output for assertions and failure reports.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return c
}
