package plugin

import (
	"io"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
)

// WatchStdinEnv names the variable the Keystore host sets when it holds the plugin's stdin open for
// the plugin's lifetime: end of input then means the host is gone (even after kill -9 of the JVM).
const WatchStdinEnv = "KEYSTORE_PLUGIN_WATCH_STDIN"

// startParent is the parent pid as the process started, read before main runs: a plugin that does
// work before Serve (opening its database, say) must still notice a host that died meanwhile.
var startParent = os.Getppid()

// watchParent makes the plugin exit when the process that started it is gone: its parent pid changes
// (re-parented to init or a subreaper) or, under the Keystore host, its stdin reaches end of input.
// The JVM cannot ask the kernel for a parent-death signal, so the plugin watches instead.
func watchParent(log hclog.Logger) {
	parent := startParent
	go func() {
		for ; ; time.Sleep(250 * time.Millisecond) {
			if os.Getppid() != parent {
				log.Warn("host process is gone, exiting", "parent", parent)
				os.Exit(3)
			}
		}
	}()
	if os.Getenv(WatchStdinEnv) == "1" {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			log.Warn("host closed stdin, exiting")
			os.Exit(3)
		}()
	}
}
