// Package plugin runs a KeystoreOperations implementation as an out-of-process backend: a
// hashicorp/go-plugin (v1.8) gRPC plugin that the OpenKCM Keystore runtime hosts as a Keystore service,
// and that any Go go-plugin host (such as OpenKCM's own) loads the same way.
//
//	func main() { plugin.Serve(&myBackend{}) }
//
// The handshake is go-plugin's: magic cookie KeystoreOperations=KeystoreOperations, protocol version 1,
// gRPC only, AutoMTLS when the host sends PLUGIN_CLIENT_CERT. Besides KeystoreOperations the server
// answers grpc.health.v1 ("plugin"), the go-plugin controller/stdio/broker services and, when the
// implementation has a Configure method, openkcm.keystore.v1.PluginConfig/Configure.
package plugin

import (
	"context"
	"os"
	"strings"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"google.golang.org/grpc"
)

// Type is the plugin type: the short name of the gRPC service, and the magic cookie key and value.
const Type = "KeystoreOperations"

// LogLevelEnv names the variable the Keystore host sets to the entry's logLevel.
const LogLevelEnv = "KEYSTORE_PLUGIN_LOG_LEVEL"

// Handshake is the go-plugin handshake every keystore plugin and host share.
var Handshake = goplugin.HandshakeConfig{ProtocolVersion: 1, MagicCookieKey: Type, MagicCookieValue: Type}

// Configurer is implemented by a backend that takes the entry's yamlConfiguration. The host calls it
// once per process, before it registers the backend; an error keeps the backend unregistered.
type Configurer interface {
	Configure(ctx context.Context, yamlConfiguration string) error
}

// GRPCPlugin is the go-plugin binding of KeystoreOperations. A Go host dispenses a
// pb.KeystoreOperationsClient from it (see PluginMap).
type GRPCPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	Impl pb.KeystoreOperationsServer
}

// GRPCServer registers the backend (and its configure step) on the plugin's gRPC server.
func (p *GRPCPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterKeystoreOperationsServer(s, p.Impl)
	pb.RegisterPluginConfigServer(s, configServer{impl: p.Impl})
	return nil
}

// GRPCClient gives a Go host the typed client.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return pb.NewKeystoreOperationsClient(c), nil
}

// PluginMap is what a Go host passes as ClientConfig.Plugins.
var PluginMap = map[string]goplugin.Plugin{Type: &GRPCPlugin{}}

type configServer struct {
	pb.UnimplementedPluginConfigServer
	impl pb.KeystoreOperationsServer
}

func (c configServer) Configure(ctx context.Context, r *pb.ConfigureRequest) (*pb.ConfigureResponse, error) {
	if cf, ok := c.impl.(Configurer); ok {
		if err := cf.Configure(ctx, r.GetYamlConfiguration()); err != nil {
			return nil, InvalidArgument("yamlConfiguration", err.Error())
		}
	}
	return &pb.ConfigureResponse{}, nil
}

// Logger is the plugin's hclog logger: JSON lines on stderr, which the host turns into its own log
// records at the same level. Use it instead of printing (anything on stdout before the handshake
// breaks it).
func Logger() hclog.Logger {
	return logger
}

var logger = hclog.New(&hclog.LoggerOptions{
	Name:       "plugin",
	Level:      hclog.LevelFromString(strings.TrimSpace(os.Getenv(LogLevelEnv))),
	Output:     os.Stderr,
	JSONFormat: true,
})

// Serve runs impl as a keystore plugin until the host stops it (Controller/Shutdown), the host
// process goes away, or the process is killed. It does not return.
func Serve(impl pb.KeystoreOperationsServer) {
	watchParent(logger)
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         map[string]goplugin.Plugin{Type: &GRPCPlugin{Impl: impl}},
		GRPCServer:      goplugin.DefaultGRPCServer,
		Logger:          logger,
	})
	os.Exit(0)
}
