// Command keystore-bbolt is the reference out-of-process backend of the OpenKCM Keystore: records in a
// bbolt file, served through the Go plugin SDK.
//
//	keystore-bbolt -db /var/lib/openkcm/plugin.db [-name bbolt] [-lock-wait 10s]
//
// The file is locked while open. A second process on it (the replacement the host starts before it
// stops the old one) waits up to -lock-wait for the lock and opens the moment the old one let go.
package main

import (
	"flag"
	"os"
	"time"

	"github.com/openkcm/keystore/sdk/go/plugin"
)

func main() {
	path := flag.String("db", "", "bbolt database file (created if missing)")
	name := flag.String("name", "bbolt", "backend name reported by Info")
	lockWait := flag.Duration("lock-wait", 10*time.Second, "how long to wait for another process to release the file")
	flag.Parse()
	if *path == "" {
		plugin.Logger().Error("missing -db")
		os.Exit(2)
	}
	store, err := OpenWaiting(*path, *name, *lockWait)
	if err != nil {
		plugin.Logger().Error("cannot open database", "error", err.Error())
		os.Exit(1)
	}
	defer store.Close()
	plugin.Serve(store)
}
