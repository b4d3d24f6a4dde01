// Command keystore-bbolt is the reference out-of-process backend of the OpenKCM Keystore: records in a
// bbolt file, served through the Go plugin SDK.
//
//	keystore-bbolt -db /var/lib/openkcm/plugin.db [-name bbolt]
package main

import (
	"flag"
	"os"

	"github.com/openkcm/keystore/sdk/go/plugin"
)

func main() {
	path := flag.String("db", "", "bbolt database file (created if missing)")
	name := flag.String("name", "bbolt", "backend name reported by Info")
	flag.Parse()
	if *path == "" {
		plugin.Logger().Error("missing -db")
		os.Exit(2)
	}
	store, err := Open(*path, *name)
	if err != nil {
		plugin.Logger().Error("cannot open database", "error", err.Error())
		os.Exit(1)
	}
	defer store.Close()
	plugin.Serve(store)
}
