package org.openkcm.keystore.grpc.internal;

import java.util.List;
import org.openkcm.keystore.model.Owner;

/**
 * What one client may do: the owners whose keys it may see and the operations ({@code
 * Service/Method}, e.g. {@code KeyService/Encrypt}) it may call.
 */
record ClientGrant(String identity, List<Glob> owners, List<Glob> operations) {
  /** The grant of an operation that returns plaintext key material (L4 only). */
  static final String EXPORT = "KeyService/ExportKey";

  boolean mayCall(String operation) {
    return operations.stream().anyMatch(g -> g.matches(operation));
  }

  boolean owns(Owner owner) {
    String text = owner.toString();
    return owners.stream().anyMatch(g -> g.matches(text));
  }

  @Override
  public String toString() {
    return "client " + identity + " owners=" + owners + " ops=" + operations;
  }
}
