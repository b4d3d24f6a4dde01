// Package keystore is a small typed client of the OpenKCM Keystore gRPC API: KeyService for
// applications and KeystoreOperations for a crypto core that seals its own records.
//
// Connect with mutual TLS (the server requires a client certificate and speaks TLS 1.3 only):
//
//	c, err := keystore.Dial("127.0.0.1:9443", keystore.MutualTLS{CA: "ca.pem", Cert: "app.pem", Key: "app-key.pem"})
//	key, err := c.CreateKey(ctx, keystore.NewKey(pb.KeyTier_L4, keystore.Tenant("acme")).Parent(l3))
//	ct, _, err := c.Encrypt(ctx, key.GetId(), []byte("hello"), nil)
package keystore

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
)

// MutualTLS names the PEM files of a client: the CA that issued the server certificate, and the
// client's own certificate and key. ServerName overrides the name checked in the server certificate.
type MutualTLS struct {
	CA, Cert, Key string
	ServerName    string
}

// Config builds the TLS 1.3 client configuration.
func (m MutualTLS) Config() (*tls.Config, error) {
	caPEM, err := os.ReadFile(m.CA)
	if err != nil {
		return nil, fmt.Errorf("keystore: reading CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("keystore: %s holds no PEM certificate", m.CA)
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13, ServerName: m.ServerName}
	if m.Cert != "" {
		pair, err := tls.LoadX509KeyPair(m.Cert, m.Key)
		if err != nil {
			return nil, fmt.Errorf("keystore: reading client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// Transport says how to reach the server: MutualTLS, or Plaintext (development mode on loopback only).
type Transport interface {
	dialOption() (grpc.DialOption, error)
}

func (m MutualTLS) dialOption() (grpc.DialOption, error) {
	cfg, err := m.Config()
	if err != nil {
		return nil, err
	}
	return grpc.WithTransportCredentials(credentials.NewTLS(cfg)), nil
}

// TLSConfig is a ready tls.Config as a Transport.
type TLSConfig struct{ *tls.Config }

func (t TLSConfig) dialOption() (grpc.DialOption, error) {
	return grpc.WithTransportCredentials(credentials.NewTLS(t.Config)), nil
}

// Plaintext dials without TLS; the server accepts it only in development mode on a loopback address.
type Plaintext struct{}

func (Plaintext) dialOption() (grpc.DialOption, error) {
	return grpc.WithTransportCredentials(insecure.NewCredentials()), nil
}

// Client holds one connection and the stubs of both services.
type Client struct {
	conn    *grpc.ClientConn
	Keys    pb.KeyServiceClient
	Records pb.KeystoreOperationsClient
	Health  grpc_health_v1.HealthClient
}

// Dial connects lazily (the first call performs the TLS handshake).
func Dial(address string, t Transport, opts ...grpc.DialOption) (*Client, error) {
	o, err := t.dialOption()
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(address, append([]grpc.DialOption{o}, opts...)...)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, Keys: pb.NewKeyServiceClient(conn), Records: pb.NewKeystoreOperationsClient(conn),
		Health: grpc_health_v1.NewHealthClient(conn)}, nil
}

// Conn is the underlying connection, for other services on the same server (health, reflection).
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Tenant, Service and Node build owners.
func Tenant(id string) *pb.Owner  { return &pb.Owner{Type: pb.OwnerType_TENANT, Id: id} }
func Service(id string) *pb.Owner { return &pb.Owner{Type: pb.OwnerType_SERVICE, Id: id} }
func Node(id string) *pb.Owner    { return &pb.Owner{Type: pb.OwnerType_NODE, Id: id} }

// Ref names one version of a key.
func Ref(id string, version int32) *pb.KeyRef { return &pb.KeyRef{Id: id, Version: version} }
