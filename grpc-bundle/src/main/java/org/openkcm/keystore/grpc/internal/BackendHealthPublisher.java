package org.openkcm.keystore.grpc.internal;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.List;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.spi.BackendState;

/**
 * {@code grpc.health.v1.Health} from the plugin manager's view of the backends: service {@code
 * openkcm.keystore.backend.<name>} per configured backend, and the overall service ("") plus both
 * keystore services SERVING only while every configured backend is up or degraded.
 */
final class BackendHealthPublisher {
  static final String BACKEND_PREFIX = "openkcm.keystore.backend.";
  private static final List<String> SERVICES =
      List.of("", "openkcm.keystore.v1.KeyService", "openkcm.keystore.v1.KeystoreOperations");

  private final HealthStatusManager health = new HealthStatusManager();
  private final KeystoreAdmin admin;

  BackendHealthPublisher(KeystoreAdmin admin) {
    this.admin = admin;
  }

  HealthStatusManager manager() {
    return health;
  }

  void refresh() {
    boolean all = true;
    for (BackendStatus b : admin.backends()) {
      if (!b.configured()) {
        continue;
      }
      boolean serving =
          b.present() && (b.state() == BackendState.UP || b.state() == BackendState.DEGRADED);
      all &= serving;
      health.setStatus(
          BACKEND_PREFIX + b.name(), serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }
    for (String s : SERVICES) {
      health.setStatus(s, all ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }
  }

  void shutdown() {
    health.enterTerminalState();
  }
}
